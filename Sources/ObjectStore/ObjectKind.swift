/// The kinds of object a repository holds, each in its own namespace.
public enum ObjectKind: String, Sendable, CaseIterable, Codable {
    /// The single repository description, always named "config".
    case config
    /// Wrapped master keys.
    case keys
    /// Packs of encrypted blobs.
    case data
    /// Index files mapping blobs to packs.
    case index
    /// Recovery points: the commits that make a backup visible.
    case recoveryPoints = "recovery-points"
    /// Lock files, named by random ids.
    case locks

    /// Whether an object's name must be the SHA-256 of its content (every kind but config and locks).
    public var isContentAddressed: Bool {
        switch self {
        case .config, .locks: false
        case .keys, .data, .index, .recoveryPoints: true
        }
    }
}
