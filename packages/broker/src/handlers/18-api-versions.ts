// Tells the client which API keys and versions this broker serves (built from the handler registry).
// Versions 0-4 (flexible from 3). Errors: INVALID_REQUEST for a malformed v3+ client software name/version;
// unknown versions are answered by dispatch with UNSUPPORTED_VERSION in a v0 body (KIP-511).
import { ApiVersionsRequest, ApiVersionsResponse, ErrorCode } from '@brook/protocol';
import { defineHandler } from '../handler.js';

// Kafka's rule for ClientSoftwareName/Version (KIP-511).
const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export const apiVersions = defineHandler(ApiVersionsRequest, ApiVersionsResponse, { min: 0, max: 4 }, (req, ctx) => {
  if (ctx.apiVersion >= 3) {
    const name = req.clientSoftwareName ?? '';
    const version = req.clientSoftwareVersion ?? '';
    ctx.log.debug({ clientSoftwareName: name, clientSoftwareVersion: version }, 'client software');
    if (!SOFTWARE_PATTERN.test(name) || !SOFTWARE_PATTERN.test(version)) {
      return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [], throttleTimeMs: 0 };
    }
  }
  return {
    errorCode: ErrorCode.NONE,
    apiKeys: ctx.broker.apiVersions.map((v) => ({ ...v })),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
});
