import ObjectStore

/// The one suite every ObjectStore must pass, so the filesystem, the vault over HTTP and S3 keep the same rules.
///
/// Each check gets a fresh store from `makeStore`. Run them all with `runAll()`, or one at a time with
/// `run(_:)` (for example as the arguments of a parameterized test, so a failure names its check).
public struct ObjectStoreConformance {
    /// The named checks, in the order `runAll()` runs them.
    public enum Check: String, CaseIterable, Sendable, CustomStringConvertible {
        case roundTrip = "put then get returns the same bytes (empty, 1 byte, 20 MiB, every kind)"
        case ranges = "ranged gets return the right bytes and refuse ranges outside the object"
        case headSizes = "head reports the stored size"
        case listing = "list returns exactly what was put, per kind"
        case idempotentPut = "putting an existing object again succeeds and changes nothing"
        case hashMismatch = "a put whose content does not match its name is refused and keeps nothing"
        case invalidNames = "invalid names are refused"
        case configWriteOnce = "config is written once"
        case deleteThenGet = "a deleted object is gone"
        case deleteMissing = "deleting a missing object reports notFound"
        case concurrentSamePut = "8 threads putting the same object all succeed"
        case concurrentDifferentPuts = "8 threads putting different objects all succeed"
        case namingFiles = "a staged file is stored under the hash of its content and removed; one not content-addressed is refused"

        public var description: String { rawValue }
    }

    let makeStore: () throws -> any ObjectStore
    let hasher: @Sendable ([UInt8]) -> String

    /// `hasher` must return the lowercase hex SHA-256; the default is a slow reference implementation.
    public init(
        makeStore: @escaping () throws -> any ObjectStore,
        hasher: @escaping @Sendable ([UInt8]) -> String = ReferenceSHA256.hex
    ) {
        self.makeStore = makeStore
        self.hasher = hasher
    }

    /// Runs every check; throws a `ConformanceFailure` naming the first one that fails.
    public func runAll() throws {
        for check in Check.allCases { try run(check) }
    }

    /// Runs one check against a fresh store; throws a `ConformanceFailure` naming it if it fails.
    public func run(_ check: Check) throws {
        do {
            let store = try makeStore()
            try body(of: check)(store)
        } catch let failure as ConformanceFailure {
            throw failure
        } catch let mismatch as Mismatch {
            throw ConformanceFailure(check.rawValue, mismatch.detail)
        } catch {
            throw ConformanceFailure(check.rawValue, "unexpected error: \(error)")
        }
    }

    private func body(of check: Check) -> (any ObjectStore) throws -> Void {
        switch check {
        case .roundTrip: checkRoundTrip
        case .ranges: checkRanges
        case .headSizes: checkHeadSizes
        case .listing: checkListing
        case .idempotentPut: checkIdempotentPut
        case .hashMismatch: checkHashMismatch
        case .invalidNames: checkInvalidNames
        case .configWriteOnce: checkConfigWriteOnce
        case .deleteThenGet: checkDeleteThenGet
        case .deleteMissing: checkDeleteMissing
        case .concurrentSamePut: checkConcurrentSamePut
        case .concurrentDifferentPuts: checkConcurrentDifferentPuts
        case .namingFiles: checkNamingFiles
        }
    }
}

/// A conformance check that failed: which one, and what it saw.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let name: String
    public let detail: String

    public init(_ name: String, _ detail: String) {
        self.name = name
        self.detail = detail
    }

    public var description: String { "conformance check failed: \(name): \(detail)" }
}

/// Thrown inside a check; `run` turns it into a ConformanceFailure carrying the check's name.
struct Mismatch: Error {
    let detail: String
}
