// KafkaCompression: the codecs a Kafka record batch may be compressed with — gzip (the system
// zlib), snappy (with the xerial framing Java clients write), the LZ4 frame format and zstd —
// as pure functions on byte arrays. No protocol knowledge: KafkaProtocol uses them.
