// Registers snappy, lz4 and zstd with kafkajs (which ships only gzip), backed by @brook/protocol's codecs.
import { compress, decompress } from '@brook/protocol';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';

for (const [type, id] of [
  [CompressionTypes.Snappy, 2],
  [CompressionTypes.LZ4, 3],
  [CompressionTypes.ZSTD, 4],
] as const) {
  CompressionCodecs[type] = () => ({
    compress: async (encoder: { buffer: Buffer }) => compress(id, encoder.buffer),
    decompress: async (buffer: Buffer) => decompress(id, buffer),
  });
}
