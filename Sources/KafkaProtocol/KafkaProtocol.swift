// KafkaProtocol: the Kafka wire codec. Pure types, no sockets and no loop: primitives,
// requests and responses per API and version, record batches and checksums. The codecs a
// batch may be compressed with live in KafkaCompression, re-exported here.
@_exported import KafkaCompression
