/// Compression owns zstd and zlib: one-shot blob compression and decompression with reusable contexts, and gzip streams.
public enum Compression {}
