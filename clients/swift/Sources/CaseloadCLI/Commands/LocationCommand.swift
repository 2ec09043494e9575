import ArgumentParser
import CaseloadProtocol
import Foundation

struct LocationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "location",
        abstract: "Storage locations (存放位置): office › cabinet › drawer › box, with short codes for labels.",
        subcommands: [Add.self, List.self, Show.self, Delete.self]
    )

    static func record(_ l: JSONValue) {
        let t = Output.text
        Output.record([
            (L(en: "code", zh: "代码"), t(l["code"])),
            (L(en: "name", zh: "名称"), t(l["name"])),
            (L(en: "kind", zh: "类型"), Labels.named(l["kind"], Labels.locationKind)),
            (L(en: "parent", zh: "上级"), t(l["parent_code"])),
            (L(en: "documents here", zh: "本处文件"), t(l["document_count"])),
        ])
    }

    /// The locations as rows of a tree: each under its parent, indented two spaces per level,
    /// siblings in the server's order (by code). A location whose parent is not in the list
    /// starts a tree of its own.
    static func tree(_ locations: [JSONValue]) -> [(depth: Int, location: JSONValue)] {
        let codes = Set(locations.compactMap { $0["code"]?.stringValue })
        var children: [String: [JSONValue]] = [:]
        var roots: [JSONValue] = []
        for l in locations {
            if let parent = l["parent_code"]?.stringValue, codes.contains(parent) {
                children[parent, default: []].append(l)
            } else {
                roots.append(l)
            }
        }
        var rows: [(Int, JSONValue)] = []
        var seen: Set<String> = []
        func visit(_ l: JSONValue, _ depth: Int) {
            let code = l["code"]?.stringValue ?? ""
            guard seen.insert(code).inserted else { return }
            rows.append((depth, l))
            for child in children[code] ?? [] { visit(child, depth + 1) }
        }
        for root in roots { visit(root, 0) }
        // Anything left over sits in a loop of parents: show it rather than lose it.
        for l in locations where !seen.contains(l["code"]?.stringValue ?? "") { visit(l, 0) }
        return rows
    }

    struct Add: ClientCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a storage location, under a parent unless it is an office.",
            discussion: "A location holds only kinds further down: an office holds cabinets, drawers and boxes; a box holds nothing.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Short code: letters, digits, hyphens (upper-cased), e.g. CAB-2.") var code: String
        @Option(help: "Name, e.g. 二号柜.") var name: String
        @Option(help: "office 办公室, cabinet 文件柜, drawer 抽屉 or box 档案盒.") var kind: String
        @Option(help: "The parent location's code.") var parent: String?

        func execute() async throws {
            var params: [String: JSONValue] = ["code": .string(code), "name": .string(name), "kind": .string(kind)]
            params["parent"] = parent.map(JSONValue.string)
            let l = try await options.withClient { try await $0.call("location.add", .object(params)) }
            if options.json { return Output.json(l) }
            LocationCommand.record(l)
        }
    }

    struct List: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Every storage location, as a tree, with how many documents each holds.")
        @OptionGroup var options: ClientOptions

        func execute() async throws {
            let locations = try await options.withClient { try await $0.call("location.list")["locations"] ?? [] }
            if options.json { return Output.json(locations) }
            let t = Output.text
            Output.table(
                [L(en: "CODE", zh: "代码"), L(en: "NAME", zh: "名称"), L(en: "KIND", zh: "类型"), L(en: "DOCUMENTS", zh: "文件")],
                LocationCommand.tree(locations.arrayValue ?? []).map { row in
                    [String(repeating: "  ", count: row.depth) + t(row.location["code"]), t(row.location["name"]),
                     Labels.named(row.location["kind"], Labels.locationKind), t(row.location["document_count"])]
                })
        }
    }

    struct Show: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "A location and every document in it or in a location below it.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Location code.") var code: String

        func execute() async throws {
            let result = try await options.withClient { try await $0.call("location.show", ["code": .string(code)]) }
            if options.json { return Output.json(result) }
            LocationCommand.record(result["location"] ?? .null)
            let documents = result["documents"]?.arrayValue ?? []
            print()
            if documents.isEmpty {
                print(L(en: "(no documents here or below)", zh: "（此处及下级没有文件）"))
            } else {
                DocumentCommand.table(documents)
            }
        }
    }

    struct Delete: ClientCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an empty location (one holding documents or locations is refused).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Location code.") var code: String

        func execute() async throws {
            let result = try await options.withClient { try await $0.call("location.delete", ["code": .string(code)]) }
            if options.json { return Output.json(result) }
            print(L(en: "deleted location \(code.uppercased())", zh: "已删除位置 \(code.uppercased())"))
        }
    }
}
