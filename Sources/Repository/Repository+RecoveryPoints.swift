import Compression
import Crypto
import Foundation
import ObjectStore

extension Repository {
    /// Every recovery point, oldest first.
    public func recoveryPoints() throws -> [StoredRecoveryPoint] {
        let opener = EnvelopeOpener(key: key)
        var points: [StoredRecoveryPoint] = []
        for info in try storeCall("list the recovery points", { try store.list(.recoveryPoints) }) {
            points.append(try loadRecoveryPoint(info.key.name, opener: opener))
        }
        return points.sorted { ($0.point.time, $0.id) < ($1.point.time, $1.id) }
    }

    func loadRecoveryPoint(_ id: String, opener: EnvelopeOpener) throws -> StoredRecoveryPoint {
        let bytes = try storeCall("read recovery point \(id.prefix(8))") { try store.get(ObjectKey(.recoveryPoints, id)) }
        guard Hex.encode(SHA256.hash(bytes)) == id else {
            throw RepositoryError(.corrupt, "recovery point \(id.prefix(8)) does not match its id: the object is damaged")
        }
        let plaintext = try opener.openObject(bytes, what: "recovery point \(id.prefix(8))")
        do {
            return StoredRecoveryPoint(id: id, point: try JSONDecoder().decode(RecoveryPoint.self, from: Data(plaintext)))
        } catch {
            throw RepositoryError(.corrupt, "recovery point \(id.prefix(8)) is not valid JSON: \(error)")
        }
    }

    /// Resolves "latest", a full id or a unique prefix of one.
    public func resolveRecoveryPoint(_ reference: String, in points: [StoredRecoveryPoint]? = nil) throws -> StoredRecoveryPoint {
        let all = try points ?? recoveryPoints()
        if reference == "latest" {
            guard let last = all.last else {
                throw RepositoryError(.invalidArgument, "the repository has no recovery points yet; run `haven backup` first")
            }
            return last
        }
        let lowered = reference.lowercased()
        guard !lowered.isEmpty, lowered.allSatisfy({ $0.isHexDigit }) else {
            throw RepositoryError(.invalidArgument, "\"\(reference)\" is not a recovery point id (hex digits) or \"latest\"")
        }
        let matches = all.filter { $0.id.hasPrefix(lowered) }
        switch matches.count {
        case 1: return matches[0]
        case 0: throw RepositoryError(.invalidArgument, "no recovery point has an id starting with \"\(reference)\"; `haven recovery-points` lists them")
        default: throw RepositoryError(.invalidArgument, "\"\(reference)\" matches \(matches.count) recovery points; give more digits")
        }
    }

    /// Stores a recovery point: the commit of a backup. Call only after every blob its trees name is indexed.
    ///
    /// On a store that commits recovery points (the vault), the point is then committed as a point of `item`,
    /// declaring the packs and index objects it references (`references(of:)`); `retainUntil` (RFC 3339) keeps
    /// it at least that long. A store refuses the commit with `notFound` when a referenced object is gone
    /// (garbage collected meanwhile): the backup fails with that reason, and the next one uploads it again.
    public func saveRecoveryPoint(_ point: RecoveryPoint, item: BackupItem = .filesAndFolders,
                                  retainUntil: String? = nil) throws -> StoredRecoveryPoint {
        let committing = store as? any RecoveryPointCommitting
        let referenced = try committing.map { _ in try self.references(of: point) } ?? []
        let plaintext = Array(try JSONEncoder.sorted.encode(point))
        let compressor = try makeCompressor()
        let bytes = try EnvelopeSealer(key: key).sealObject(plaintext, compressor: compressor)
        let id = Hex.encode(SHA256.hash(bytes))
        let object = try ObjectKey(.recoveryPoints, id)
        try storeCall("write recovery point \(id.prefix(8))") { try store.put(object, bytes) }
        if let committing {
            try storeCall("commit recovery point \(id.prefix(8))") {
                try committing.commitRecoveryPoint(object: object, item: item, time: point.time, size: Int64(point.summary.bytes),
                                                   retainUntil: retainUntil, references: referenced)
            }
        }
        return StoredRecoveryPoint(id: id, point: point)
    }
}
