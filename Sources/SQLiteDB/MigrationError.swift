/// Why a database's schema history cannot be brought up to date by this build.

/// The database's recorded migrations do not match the ones this program knows.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    /// What kind of mismatch.
    public struct Code: Hashable, Sendable {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The database was migrated by a newer program: it records a migration this one does not know.
        public static let unknownMigration = Code("unknownMigration")
        /// The recorded migrations are known but in another order than registered.
        public static let orderMismatch = Code("orderMismatch")
    }

    /// The kind of mismatch.
    public let code: Code
    /// What happened and what to do.
    public let message: String

    public var description: String { message }
}
