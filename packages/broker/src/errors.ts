// A failure that maps to one Kafka error code; handlers turn it into the response's errorCode/errorMessage.
export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
