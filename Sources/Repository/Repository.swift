/// Repository is the on-vault format: keys, envelope, chunker, packs, index, trees and recovery points.
public enum RepositoryModule {}
