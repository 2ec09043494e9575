import ArgumentParser
import CaseloadProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a report to a file: one company's cases, the whole agency, or a consultant's caseload.",
        discussion: """
            Formats: csv (UTF-8 with a byte order mark, opens in Excel), json, md (Markdown), html (one self-contained page,
            printed on landscape A4), xlsx (an Excel workbook: a summary sheet and a cases sheet with dates and numbers as such).
            The report comes in pages and each is written as it arrives, so large reports need little memory.
            """,
        subcommands: [Company.self, Agency.self, Caseload.self]
    )

    enum Format: String, CaseIterable, ExpressibleByArgument, Sendable {
        case csv, json, md, html, xlsx
    }

    /// Where the report goes, and in what format.
    struct Destination: ParsableArguments {
        @Option(help: "csv, json, md, html or xlsx.") var format: Format
        @Option(help: "The file to write (replaced if it exists), or - for standard output.") var out: String
    }

    /// Which cases a company or caseload report covers.
    struct Filters: ParsableArguments {
        @Option(help: "Only this kind: points_new, points_renewal, hukou_transfer, talent_introduction.") var kind: String?
        @Option(help: "Only cases in this stage (id, e.g. submitted_online).") var stage: String?
        @Option(help: "Only this status: active, on_hold, withdrawn, closed.") var status: String?
        @Flag(help: "Only active cases past the time allowed in their stage.") var late = false

        var params: [String: JSONValue] {
            var p: [String: JSONValue] = [:]
            p["kind"] = kind.map(JSONValue.string)
            p["stage"] = stage.map(JSONValue.string)
            p["status"] = status.map(JSONValue.string)
            if late { p["late"] = true }
            return p
        }
    }

    struct Company: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "One client company: its applicants and their cases.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Company id.") var companyID: String
        @OptionGroup var destination: Destination
        @OptionGroup var filters: Filters

        func execute() async throws {
            var params = filters.params
            params["company_id"] = .string(companyID)
            try await ReportCommand.write("report.company", params, destination, options: options)
        }
    }

    struct Agency: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "The whole agency: every company, its cases by stage and status.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var destination: Destination

        func execute() async throws {
            try await ReportCommand.write("report.agency", [:], destination, options: options)
        }
    }

    struct Caseload: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "A consultant's caseload: the cases of the companies assigned to them (default: you).")
        @OptionGroup var options: ClientOptions
        @Option(help: "The consultant's user id (see `caseload user list`); default yourself.") var consultant: String?
        @OptionGroup var destination: Destination
        @OptionGroup var filters: Filters

        func execute() async throws {
            var params = filters.params
            params["consultant_id"] = try await options.user(consultant)
            try await ReportCommand.write("report.caseload", params, destination, options: options)
        }
    }

    /// Calls `method` page by page, appending each page's `content` to the destination as it
    /// arrives. A file is written beside its final name and renamed into place at the end, so
    /// a failed report never leaves a partial file that looks whole.
    static func write(_ method: String, _ params: [String: JSONValue], _ destination: Destination, options: ClientOptions) async throws {
        let toStdout = destination.out == "-"
        let sink = try ReportSink(path: toStdout ? nil : destination.out)
        // No bar when the report itself is going to the same terminal.
        var progress = ProgressBar(label: L(en: "writing \(destination.format.rawValue)", zh: "正在写入 \(destination.format.rawValue)"), enabled: isatty(2) == 1 && !(toStdout && isatty(1) == 1))
        var rows: Int64 = 0
        do {
            rows = try await options.withClient { client in
                var params = params
                params["format"] = .string(destination.format.rawValue)
                var previous: String?
                var rowsDone: Int64 = 0
                while true {
                    let page = try await client.call(method, .object(params))
                    guard let content = page["content"]?.stringValue else { throw CLIError(L(en: "the server's page has no content", zh: "服务器返回的页面没有内容")) }
                    switch page["encoding"]?.stringValue ?? "utf-8" {
                    case "utf-8": try sink.write(Data(content.utf8))
                    // A binary file (xlsx): every chunk is base64 of its own bytes.
                    case "base64":
                        guard let bytes = Data(base64Encoded: content) else { throw CLIError(L(en: "the server's page is not valid base64", zh: "服务器返回的页面不是有效的 base64")) }
                        try sink.write(bytes)
                    case let other: throw CLIError(L(en: "the server's page is in an encoding this client does not know: \(other)", zh: "服务器返回的页面编码本客户端不认识：\(other)"))
                    }
                    rowsDone = page["rows_done"]?.intValue ?? rowsDone
                    progress.update(done: Int(rowsDone), total: Int(page["rows_total"]?.intValue ?? 0))
                    guard let next = page["next_cursor"]?.stringValue else { return rowsDone }
                    guard next != previous else { throw CLIError(L(en: "the server returned the same page cursor twice; stopped", zh: "服务器两次返回相同的分页游标，已停止")) }
                    previous = next
                    params["cursor"] = .string(next)
                }
            }
            progress.finish()
            try sink.close()
        } catch {
            progress.finish()
            sink.discard()
            throw error
        }
        let name = toStdout ? L(en: "standard output", zh: "标准输出") : destination.out
        if options.json {
            let summary: JSONValue = ["out": .string(destination.out), "format": .string(destination.format.rawValue), "rows": .int(rows), "bytes": .int(Int64(sink.bytes))]
            if toStdout {
                FileHandle.standardError.write(Data((WireJSON.string(summary) + "\n").utf8))
            } else {
                Output.json(summary)
            }
        } else {
            let line = L(en: "wrote \(name) (\(rows) row\(rows == 1 ? "" : "s"), \(sink.bytes) bytes)", zh: "已写入 \(name)（\(rows) 行，\(sink.bytes) 字节）")
            // On stdout the report itself is the output: the summary goes to stderr.
            if toStdout { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
        }
    }
}

/// Where report pages go: standard output, or a temporary file beside `path` that `close`
/// renames into place (and `discard` removes).
final class ReportSink: @unchecked Sendable {
    private let handle: FileHandle
    private let path: String?
    private let partial: String?
    private(set) var bytes = 0

    init(path: String?) throws {
        self.path = path
        guard let path else {
            handle = FileHandle.standardOutput
            partial = nil
            return
        }
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIError(L(en: "\(path) is a directory; give a file name with --out", zh: "\(path) 是目录；请用 --out 给出文件名"))
        }
        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).part").path
        guard FileManager.default.createFile(atPath: partial, contents: nil) else {
            throw CLIError(L(en: "cannot create \(path) (is the directory there, and writable?)", zh: "无法创建 \(path)（目录是否存在且可写？）"))
        }
        do {
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw CLIError(L(en: "cannot write \(path): \(error.localizedDescription)", zh: "无法写入 \(path)：\(error.localizedDescription)"))
        }
        self.partial = partial
    }

    func write(_ data: Data) throws {
        do {
            try handle.write(contentsOf: data)
        } catch {
            throw CLIError(L(en: "cannot write \(path ?? "standard output"): \(error.localizedDescription)", zh: "无法写入 \(path ?? "标准输出")：\(error.localizedDescription)"))
        }
        bytes += data.count
    }

    func close() throws {
        guard let path, let partial else { return }
        do {
            try handle.synchronize()
            try handle.close()
            if rename(partial, path) != 0 {
                throw CLIError(L(en: "cannot move the report into place at \(path): \(String(cString: strerror(errno)))", zh: "无法把报表移到 \(path)：\(String(cString: strerror(errno)))"))
            }
        } catch let error as CLIError {
            discard()
            throw error
        } catch {
            discard()
            throw CLIError(L(en: "cannot write \(path): \(error.localizedDescription)", zh: "无法写入 \(path)：\(error.localizedDescription)"))
        }
    }

    /// Removes the partial file (nothing for standard output).
    func discard() {
        guard let partial else { return }
        try? handle.close()
        try? FileManager.default.removeItem(atPath: partial)
    }
}
