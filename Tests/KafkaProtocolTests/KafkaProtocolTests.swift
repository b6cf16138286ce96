// Tests for KafkaProtocol.
