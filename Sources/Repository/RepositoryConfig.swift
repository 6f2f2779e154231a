import Compression

/// The repository's settings, fixed at creation and stored encrypted as the `config` object.
public struct RepositoryConfig: Codable, Sendable, Equatable {
    public var version: Int
    public var id: String
    public var chunker: ChunkerParameters
    public var compression: String
    public var compressionLevel: Int
    public var packSize: Int

    public static let currentVersion = 1

    public init(id: String, chunker: ChunkerParameters = .default, compression: Codec = .zstd, compressionLevel: Int = 3,
                packSize: Int = 16 * 1024 * 1024) {
        self.version = Self.currentVersion
        self.id = id
        self.chunker = chunker
        self.compression = compression.name
        self.compressionLevel = compressionLevel
        self.packSize = packSize
    }

    public var codec: Codec { Codec(name: compression) ?? .zstd }

    func validate() throws {
        guard version == Self.currentVersion else {
            throw RepositoryError(.corrupt, "the repository has format version \(version); this Haven reads version \(Self.currentVersion)")
        }
        guard Codec(name: compression) != nil else {
            throw RepositoryError(.corrupt, "the repository names an unknown compression \"\(compression)\"")
        }
        guard packSize >= 1 << 16, packSize <= 1 << 30 else {
            throw RepositoryError(.corrupt, "the repository's pack size \(packSize) is out of range")
        }
        do { try chunker.validate() } catch { throw RepositoryError(.corrupt, "the repository's chunker parameters are invalid: \(error)") }
    }
}

extension Codec {
    public init?(name: String) {
        guard let codec = Codec.allCases.first(where: { $0.name == name }) else { return nil }
        self = codec
    }
}
