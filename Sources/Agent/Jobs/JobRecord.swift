/// JobRecord is one job as the agent stores it: what it does, for which item, and where it is in its life.
import Foundation

/// A backup or a restore of one item.
public struct JobRecord: Sendable, Equatable, Identifiable {
    public enum Kind: String, Sendable, Codable { case backup, restore }
    public enum Trigger: String, Sendable, Codable { case scheduled, manual }

    public let id: Int64
    public let kind: Kind
    /// The backup item, e.g. kind "files" and name "Files and folders".
    public let itemKind: String
    public let itemName: String
    public let trigger: Trigger
    public let state: JobState
    public let createdAt: Date
    public let startedAt: Date?
    public let finishedAt: Date?
    public let failureReason: String?
    /// The job's inputs as JSON (what to restore and where, a retain-until date, …), interpreted by the worker.
    public let parameters: String
}
