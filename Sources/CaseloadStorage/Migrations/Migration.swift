import Crypto
import Foundation

/// One `schema/NNN_name.sql` file.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// SHA-256 of the file's bytes, hex: how a changed, already-applied file is caught.
    public var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public var fileName: String { String(format: "%03d_%@.sql", version, name) }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case badFileName(String)
    case duplicateVersion(Int)
    case schemaDirectoryNotFound(searched: [String])
    case changedAfterApply(file: String, applied: String, now: String)
    case unknownAppliedVersion(Int)
    case invalidRoleName(String)

    public var description: String {
        switch self {
        case .badFileName(let f):
            "schema file '\(f)' is not named NNN_name.sql"
        case .duplicateVersion(let v):
            "two schema files share version \(v)"
        case .schemaDirectoryNotFound(let searched):
            "no schema folder found (looked in \(searched.joined(separator: ", "))): pass --schema or set CASELOAD_SCHEMA_DIR"
        case .changedAfterApply(let file, let applied, let now):
            "migration \(file) was already applied with checksum \(applied.prefix(12))…, but the file now has \(now.prefix(12))…: "
                + "applied migrations must never change; put the change in a new file"
        case .unknownAppliedVersion(let v):
            "the database has migration \(v) applied, which this build does not know: is it older than the database?"
        case .invalidRoleName(let r):
            "role name '\(r)' must be lower-case letters, digits and underscores"
        }
    }
}

extension Migration {
    /// Reads every `NNN_name.sql` in `directory`, ordered by version.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }
        var migrations: [Migration] = []
        for file in files {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"),
                let version = Int(stem[..<underscore]), stem[..<underscore].count == 3,
                !stem[stem.index(after: underscore)...].isEmpty
            else { throw MigrationError.badFileName(file) }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw MigrationError.duplicateVersion(a.version)
        }
        return migrations
    }

    /// Finds the schema folder: an explicit path, `CASELOAD_SCHEMA_DIR`, `./schema`, or the
    /// checkout the executable was built in (`<checkout>/.build/<config>/caseload-server`).
    public static func locateSchemaDirectory(explicit: String? = nil) throws -> URL {
        var candidates: [String] = []
        if let explicit { candidates.append(explicit) }
        if let env = ProcessInfo.processInfo.environment["CASELOAD_SCHEMA_DIR"] { candidates.append(env) }
        candidates.append(FileManager.default.currentDirectoryPath + "/schema")
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("schema").path)
            dir.deleteLastPathComponent()
        }
        for path in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
                FileManager.default.fileExists(atPath: path + "/001_foundation.sql")
            {
                return URL(fileURLWithPath: path)
            }
        }
        throw MigrationError.schemaDirectoryNotFound(searched: Array(candidates.prefix(3)))
    }
}
