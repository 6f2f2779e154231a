import ArgumentParser
import Repository

/// A failure the user should read: printed as "haven: <message>" with a specific exit code.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var exitCode: ExitCode

    init(_ message: String, exitCode: ExitCode = .failure) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }

    /// Runs `body`, turning repository errors into failures with the matching exit code.
    static func mapping<R>(_ body: () throws -> R) throws -> R {
        do { return try body() } catch let error as RepositoryError {
            switch error.code {
            case .wrongPassphrase: throw CommandFailure(error.message, exitCode: .wrongPassphrase)
            case .notFound: throw CommandFailure(error.message, exitCode: .noRepository)
            default: throw CommandFailure(error.message)
            }
        }
    }
}

/// Runs a command body: prints a failure as one clear line on stderr and exits with its code.
func runCommand(_ body: () throws -> Void) throws {
    do {
        try CommandFailure.mapping(body)
    } catch let failure as CommandFailure {
        Output.error(failure.message)
        throw failure.exitCode
    } catch let error as ExitCode {
        throw error
    } catch {
        Output.error("\(error)")
        throw ExitCode.failure
    }
}
