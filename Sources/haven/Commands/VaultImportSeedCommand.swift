import ArgumentParser
import Foundation
import Vault

extension VaultCommand {
    /// `haven vault import-seed VAULT PATH`: imports an offline seed written by an agent (docs/offline-seeding.md).
    struct ImportSeedCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-seed", abstract: "Import an offline seed (an initial backup shipped on a disk) into a vault.",
            discussion: "Every object is checked against the seed's manifest before anything is stored; a damaged seed is "
                + "refused with a list of every bad object. See docs/offline-seeding.md.")

        @OptionGroup var options: Options

        @Argument(help: "The vault's name or id.")
        var vault: String

        @Argument(help: "The seed's folder (<staging folder>/<machine id>) or a staging folder holding one seed.")
        var path: String

        struct Imported: Encodable {
            var machineId, machine, itemKind, itemName, recoveryPoint: String
            var objects, objectsStored: Int
            var bytes: Int64
            var committed: Bool
        }

        /// A refused seed: the message and every problem found, one line each.
        struct Refusal: Encodable {
            var error, code: String
            var problems: [String]
        }

        func run() throws {
            try runCommand {
                let service = try options.settings().openService()
                let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
                let result: VaultService.SeedImport
                do { result = try service.importSeed(path: absolute, vault: vault, actor: "cli") } catch let error as VaultError {
                    if options.json {
                        Output.json(Refusal(error: error.message, code: error.code.rawValue, problems: error.missing ?? []))
                    } else {
                        for problem in error.missing ?? [] { Output.line("  \(problem)") }
                    }
                    throw CommandFailure(error.message)
                }
                if options.json {
                    Output.json(Imported(machineId: result.machineId, machine: result.machineName, itemKind: result.item.kind,
                                         itemName: result.item.name, recoveryPoint: result.recoveryPoint, objects: result.objects,
                                         objectsStored: result.objectsStored, bytes: result.bytes, committed: result.committed))
                } else {
                    Output.line("imported the seed of \(result.machineName): \(result.objects) objects (\(result.objectsStored) new), "
                        + "\(result.bytes) bytes; recovery point \(result.recoveryPoint) of \(result.item.kind) \"\(result.item.name)\" "
                        + (result.committed ? "is committed (seeded)" : "had been imported before"))
                }
            }
        }
    }
}
