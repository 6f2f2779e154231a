/// The rows of the Schedule backup page's volume table: each volume with its device, type, size and use, and the
/// goal's volumes that are not listed (still checked, so saving the goal does not drop them; marked when not mounted).
import Agent
import Foundation
import Web

extension AgentPages {
    static func volumeRows(_ volumes: [VolumeInfo], chosen: [String], isMounted: (String) -> Bool) -> [[String: Any]] {
        let chosenSet = Set(chosen)
        var rows = volumes.map { volume -> [String: Any] in
            let percent = volume.size > 0 ? Int((Double(volume.used) / Double(volume.size) * 100).rounded()) : 0
            return ["mountPoint": volume.mountPoint, "device": volume.device, "type": volume.type,
                    "size": volume.size > 0 ? Format.size(Int64(clamping: volume.size)) : "",
                    "used": volume.size > 0 ? "\(Format.size(Int64(clamping: volume.used))) (\(percent)%)" : "",
                    "readOnly": volume.readOnly, "checked": chosenSet.contains(volume.mountPoint)]
        }
        let listed = Set(volumes.map(\.mountPoint))
        rows += chosen.filter { !listed.contains($0) }.map { mountPoint -> [String: Any] in
            ["mountPoint": mountPoint, "device": "", "type": "", "size": "", "used": "", "readOnly": false,
             "checked": true, "notMounted": !isMounted(mountPoint)]
        }
        return rows
    }
}
