// ZooKeeper: the ZooKeeper wire protocol (jute), a session client on KielIO's IOLoop, and the
// Party, Lock and SharedSet recipes.
