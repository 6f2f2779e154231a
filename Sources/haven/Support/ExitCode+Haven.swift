import ArgumentParser

/// Exit codes, as restic uses them, so scripts can tell failures apart.
extension ExitCode {
    /// The backup finished, but some files could not be read (they are named in the output).
    static let incomplete = ExitCode(3)
    /// There is no repository at the location given.
    static let noRepository = ExitCode(10)
    /// The passphrase is wrong.
    static let wrongPassphrase = ExitCode(12)
}
