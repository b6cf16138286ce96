// KafkaProtocol: the Kafka wire codec. Pure types, no sockets and no loop: primitives,
// requests and responses per API and version, record batches, checksums and compression.
