import ArgumentParser
import CaseloadProtocol
import Foundation

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import records from a spreadsheet saved as CSV (all or nothing).",
        subcommands: [Applicants.self]
    )

    struct Applicants: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or update applicants from a CSV file, found by ID number; optionally open a case for each.",
            discussion: """
                The first row names the columns, in Chinese or English (姓名, 身份证号, 统一社会信用代码, … see docs/import.md). \
                The rows go to the server in batches and are checked together: if any row has an error nothing is written, \
                and each error is listed with its file line and column. --dry-run checks every row and shows what would be \
                created or updated.
                """
        )
        @OptionGroup var options: ClientOptions
        @Argument(help: "The CSV file (UTF-8 or GB18030, as Excel saves it).") var file: String
        @Option(help: ArgumentHelp(TextEncoding.help)) var encoding: TextEncoding = .auto
        @Flag(help: "Check every row and show what would change, without writing anything.") var dryRun = false

        func execute() async throws {
            let parsed = try ImportFile.read(path: file, encoding: encoding)
            if !parsed.ignoredHeaders.isEmpty { Output.error(ImportColumns.ignoredWarning(parsed.ignoredHeaders)) }
            let batches = try parsed.batches()
            var progress = ProgressBar(label: L(en: "sending rows", zh: "正在发送"))
            let total = parsed.rows.count
            let result: JSONValue
            do {
                result = try await options.withClient { client in
                    let begun = try await client.call("import.begin", ["kind": "applicants"])
                    guard let importID = begun["import_id"] else { throw CLIError(L(en: "the server did not start an import (no import_id)", zh: "服务器没有开始导入（没有 import_id）")) }
                    var sent = 0
                    progress.update(done: 0, total: total)
                    for batch in batches {
                        _ = try await client.call("import.rows", ["import_id": importID, "rows": .array(batch)])
                        sent += batch.count
                        progress.update(done: sent, total: total)
                    }
                    // The full bar stays up while the server checks and writes every row.
                    return try await client.call("import.commit", ["import_id": importID, "dry_run": .bool(dryRun)])
                }
            } catch {
                progress.finish()
                throw error
            }
            progress.finish()
            let errors = result["errors"]?.arrayValue ?? []
            if options.json {
                Output.json(parsed.annotated(result))
            } else if !errors.isEmpty {
                Output.table(
                    [L(en: "LINE", zh: "行"), L(en: "COLUMN", zh: "列"), L(en: "RULE", zh: "规则"), L(en: "MESSAGE", zh: "说明")],
                    errors.map { e in
                        [parsed.line(ofRow: e["row"]), parsed.header(of: e["column"]), Output.text(e["rule"]), Output.text(e["message"])]
                    })
            } else {
                if dryRun {
                    let plan = result["plan"]?.arrayValue ?? []
                    if !plan.isEmpty {
                        Output.table(
                            [L(en: "LINE", zh: "行"), L(en: "ACTION", zh: "操作"), L(en: "NAME", zh: "姓名"), L(en: "ID NUMBER", zh: "身份证")],
                            plan.map { p in
                                [parsed.line(ofRow: p["row"]), Labels.named(p["action"], Self.actions), Output.text(p["name"]), Output.text(p["id_number"])]
                            })
                    }
                }
                print(Self.summary(result, dryRun: dryRun))
            }
            if !errors.isEmpty {
                Output.error(L(en: "\(errors.count) error\(errors.count == 1 ? "" : "s") in \(file); nothing was imported", zh: "\(file) 中有 \(errors.count) 处错误；没有导入任何记录"))
                throw ExitCode(1)
            }
        }

        static var actions: [String: String] { Language.current == .en ? [:] : ["create": "新建", "update": "更新"] }

        static func summary(_ result: JSONValue, dryRun: Bool) -> String {
            let t = Output.text
            if dryRun {
                // Cases are counted only when the server plans them.
                let planned = (result["cases_opened"]?.intValue ?? 0) > 0
                let cases = planned ? L(en: ", open \(t(result["cases_opened"])) cases", zh: "，开立 \(t(result["cases_opened"])) 个办件") : ""
                return L(
                    en: "dry run, nothing written: would create \(t(result["created"])), update \(t(result["updated"]))",
                    zh: "试运行，未写入：将新建 \(t(result["created"]))，更新 \(t(result["updated"]))") + cases
            }
            return L(
                en: "created \(t(result["created"])), updated \(t(result["updated"])), cases opened \(t(result["cases_opened"]))",
                zh: "新建 \(t(result["created"]))，更新 \(t(result["updated"]))，开立办件 \(t(result["cases_opened"]))")
        }
    }
}

/// A CSV file read for import: its headers as written, the column key of each, and its data
/// rows numbered 1, 2, … (header excluded, empty rows skipped) with the file line each starts on.
struct ImportFile: Sendable {
    struct Row: Equatable, Sendable {
        var row: Int
        var line: Int
        var fields: [String: String]
    }

    var headers: [String]
    var keys: [String?]
    var rows: [Row]
    /// Columns of headers that are no import column (序号, 备注): their cells are not sent.
    var ignored: [Int] = []

    /// The headers of the ignored columns, as written.
    var ignoredHeaders: [String] { ignored.map { headers[$0] } }

    /// Rows per `import.rows` call (the server's limit), and the bytes a batch's rows may take
    /// on the wire (the server reads lines of at most 1 MiB; the rest is room for the envelope).
    static let batchRows = 500
    static let batchBytes = 900_000

    static func read(path: String, encoding: TextEncoding) throws -> ImportFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw CLIError(
                L(en: "cannot read \(path): \(exists ? "permission denied or not a file" : "no such file")",
                  zh: "无法读取 \(path)：\(exists ? "没有权限或不是文件" : "文件不存在")"))
        }
        do {
            return try parse(try encoding.decode([UInt8](data)))
        } catch let error as CLIError {
            throw CLIError("\(path): \(error.description)")
        }
    }

    /// Cells are trimmed; an empty cell is not sent (the server leaves that field alone).
    static func parse(_ text: String) throws -> ImportFile {
        let records: [CSVReader.Record]
        do {
            records = try CSVReader.parse(text)
        } catch {
            throw CLIError(L(en: "not a CSV file: \(error)", zh: "不是 CSV 文件：\(error)"))
        }
        guard let header = records.first else { throw CLIError(L(en: "the file is empty: the first row must name the columns", zh: "文件是空的：第一行须为列名")) }
        let headers = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        let (keys, ignored) = try ImportColumns.map(headers: headers)
        var rows: [Row] = []
        for record in records.dropFirst() {
            var fields: [String: String] = [:]
            for (index, raw) in record.fields.enumerated() {
                let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                if value.isEmpty || ignored.contains(index) { continue }
                guard index < keys.count, let key = keys[index] else {
                    let column = index < headers.count
                        ? L(en: "column \(index + 1), which has no header", zh: "第 \(index + 1) 列，该列没有列名")
                        : L(en: "column \(index + 1), past the last header", zh: "第 \(index + 1) 列，在最后一个列名之后")
                    throw CLIError(L(en: "line \(record.line): '\(value)' is in \(column)", zh: "第 \(record.line) 行：'\(value)' 位于\(column)"))
                }
                fields[key] = value
            }
            if fields.isEmpty { continue }  // a row of empty cells, as spreadsheets leave at the end
            rows.append(Row(row: rows.count + 1, line: record.line, fields: fields))
        }
        guard !rows.isEmpty else { throw CLIError(L(en: "no data rows under the header", zh: "列名下没有数据行")) }
        return ImportFile(headers: headers, keys: keys, rows: rows, ignored: ignored)
    }

    /// The rows as `import.rows` takes them, in batches of at most `batchRows` rows and
    /// `batchBytes` bytes of JSON.
    func batches(maxRows: Int = batchRows, maxBytes: Int = batchBytes) throws -> [[JSONValue]] {
        var batches: [[JSONValue]] = []
        var current: [JSONValue] = []
        var bytes = 0
        for row in rows {
            let value: JSONValue = ["row": .int(Int64(row.row)), "fields": .object(row.fields.mapValues(JSONValue.string))]
            let size = try WireJSON.encode(value).count + 1
            guard size <= maxBytes else { throw CLIError(L(en: "line \(row.line) is too long to send (\(size) bytes of JSON)", zh: "第 \(row.line) 行太长，无法发送（JSON 为 \(size) 字节）")) }
            if current.count == maxRows || bytes + size > maxBytes {
                batches.append(current)
                current = []
                bytes = 0
            }
            current.append(value)
            bytes += size
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    /// The file line a server row number starts on (`-` for none, e.g. an error about the whole file).
    func line(ofRow row: JSONValue?) -> String {
        guard let n = row?.intValue else { return "-" }
        guard n >= 1, n <= rows.count else { return String(n + 1) }
        return String(rows[Int(n) - 1].line)
    }

    /// The header as written in the file for a column key (the key itself when the file has no such column).
    func header(of column: JSONValue?) -> String {
        guard let key = column?.stringValue, !key.isEmpty else { return "-" }
        guard let index = keys.firstIndex(of: key) else { return key }
        return headers[index]
    }

    /// The commit result with `line` (file line) and `header` (as written) added to each error
    /// and `line` to each plan entry, for `--json`.
    func annotated(_ result: JSONValue) -> JSONValue {
        guard var object = result.objectValue else { return result }
        func lineValue(_ row: JSONValue?) -> JSONValue {
            Int64(line(ofRow: row)).map(JSONValue.int) ?? .null
        }
        if let errors = object["errors"]?.arrayValue {
            object["errors"] = .array(errors.map { e in
                guard var entry = e.objectValue else { return e }
                entry["line"] = lineValue(e["row"])
                entry["header"] = e["column"]?.stringValue.map { _ in .string(header(of: e["column"])) } ?? .null
                return .object(entry)
            })
        }
        if let plan = object["plan"]?.arrayValue {
            object["plan"] = .array(plan.map { p in
                guard var entry = p.objectValue else { return p }
                entry["line"] = lineValue(p["row"])
                return .object(entry)
            })
        }
        return .object(object)
    }
}
