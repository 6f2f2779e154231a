/// ObjectStoreTesting holds the conformance suite every ObjectStore must pass and a fault-injecting wrapper.
public enum ObjectStoreTesting {}
