/// ObjectStore is where objects live: a small write-once interface and its filesystem implementation.
public enum ObjectStoreModule {}
