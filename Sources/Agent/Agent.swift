/// Agent owns the long-running side of a protected machine: backup goals, the scheduler, jobs and their
/// state, and the worker that runs them. This file holds the module's shared clock type.
import Foundation

/// Where domain code gets the time from: the system clock in the daemon, a fixed or stepped one in tests.
public typealias Clock = @Sendable () -> Date
