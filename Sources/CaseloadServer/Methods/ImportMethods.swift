import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

/// Bulk import of applicants from a company's spreadsheet: staged in batches, every row and
/// every field validated before anything is written, then applied in one transaction
/// (all or nothing), upserting by ID number. Owners and managers import for any client
/// company; a consultant for the companies assigned to them (a row for another is refused,
/// rule `not_assigned`; row-level security keeps their imports and writes to those companies).
enum ImportMethods {
    struct BeginParams: Decodable, Sendable {
        var kind: String
    }

    struct RowsParams: Decodable, Sendable {
        var importID: UUID
        var rows: [Row]
        struct Row: Decodable, Sendable {
            var row: Int
            var fields: [String: String]
        }
        enum CodingKeys: String, CodingKey {
            case rows
            case importID = "import_id"
        }
    }

    struct CommitParams: Decodable, Sendable {
        var importID: UUID
        var dryRun: Bool?
        enum CodingKeys: String, CodingKey {
            case importID = "import_id", dryRun = "dry_run"
        }
    }

    /// What one valid row will do.
    struct Planned {
        var row: Int
        var parsed: ApplicantImportRow
        var companyID: UUID
        var existing: ApplicantRecord?
        /// The row asks for a case kind the applicant has no active case of (decided once, for
        /// the dry run's count and the commit alike).
        var opensCase = false
    }

    static func profile(over base: ApplicantProfile, _ fields: [String: ApplicantImportRow.ProfileValue]) throws -> ApplicantProfile {
        var object = try WireJSON.value(of: base).objectValue ?? [:]
        for (key, value) in fields {
            switch value {
            case .string(let s): object[key] = .string(s)
            case .int(let i): object[key] = .int(Int64(i))
            case .bool(let b): object[key] = .bool(b)
            }
        }
        return try WireJSON.convert(.object(object), to: ApplicantProfile.self)
    }

    /// Locks the import for this call; a finished one (committed, dry-run or refused: its rows
    /// are gone) is a `conflict` that says to start again.
    static func requireOpen(_ id: UUID, in tx: AgencyTransaction) async throws {
        guard try await tx.imports.isOpen(id, forUpdate: true) else {
            throw RPCError.conflict(
                "Conflict: this import is finished (committed, dry-run or refused), and its staged rows are gone: stage the file again with import.begin and import.rows",
                zh: "冲突：这次导入已结束（已提交、试运行或被拒），暂存的行已删除：请用 import.begin 和 import.rows 重新暂存文件",
                issues: [("import_id", "finished", "the import is finished: start a new one", "这次导入已结束：请开始新的导入")])
        }
    }

    /// Validates every staged row; applies them all unless dry-running or any row is wrong.
    /// Either way the import is finished: its staged rows are deleted.
    static func commit(_ params: CommitParams, context: RequestContext) async throws -> JSONValue {
        let dryRun = params.dryRun ?? false
        return try await context.withAgency { tx in
            try await requireOpen(params.importID, in: tx.storage)
            let staged = try await tx.imports.rows(importID: params.importID, cipher: context.services.cipher)
            var companiesByCode: [String: UUID] = [:]
            var after: NameCursor?
            repeat {
                let page = try await tx.companies.list(filter: CompanyFilter(), after: after, limit: 1000)
                for c in page {
                    if let code = c.creditCode { companiesByCode[code] = c.id }
                    if let code = c.orgCode { companiesByCode[code] = c.id }
                }
                after = page.count == 1000 ? page.last.map { NameCursor(name: $0.name, id: $0.id) } : nil
            } while after != nil

            var errors: [JSONValue] = []
            // Columns that are no import column (序号, 备注): ignored, reported once.
            var ignored = Set<String>()
            var valid: [(row: Int, parsed: ApplicantImportRow, companyID: UUID)] = []
            var planned: [Planned] = []
            var seen: [String: Int] = [:]
            func error(_ row: Int, _ column: String, _ rule: String, _ message: String) {
                errors.append(["row": .int(Int64(row)), "column": .string(column), "rule": .string(rule), "message": .string(message)])
            }
            let today = tx.today
            for (row, fields) in staged {
                ignored.formUnion(ApplicantImportRow.unknownColumns(fields))
                let parsed: ApplicantImportRow
                do { parsed = try ApplicantImportRow.parse(fields, today: today) } catch let invalid as ValidationError {
                    for issue in invalid.issues { errors.append(["row": .int(Int64(row)), "column": .string(issue.field), "rule": .string(issue.rule), "message": .string(issue.message)]) }
                    continue
                }
                if let first = seen[parsed.identity.idNumber.value] {
                    error(row, "id_number", "duplicate", "the same person is already on row \(first)")
                    continue
                }
                seen[parsed.identity.idNumber.value] = row
                guard let companyID = parsed.companyCreditCode.flatMap({ companiesByCode[$0] }) ?? parsed.companyOrgCode.flatMap({ companiesByCode[$0] }) else {
                    let column = parsed.companyCreditCode != nil ? "company_credit_code" : "company_org_code"
                    // A consultant sees only their companies (row-level security), so a code
                    // they cannot see is not theirs to import for, whether or not it exists.
                    if tx.principal.role.seesAllCompanies {
                        error(row, column, "unknown_company", "no client company of your agency has this code: add it first")
                    } else {
                        error(row, column, "not_assigned", "no client company assigned to you has this code: a manager may import it, or assign the company to you")
                    }
                    continue
                }
                valid.append((row, parsed, companyID))
            }
            // Who is known already: one query for the whole file.
            let known = try await tx.applicants.find(idNumbers: valid.map(\.parsed.identity.idNumber), cipher: context.services.cipher)
            for v in valid {
                planned.append(Planned(row: v.row, parsed: v.parsed, companyID: v.companyID, existing: known[v.parsed.identity.idNumber.value]))
            }
            let plan: [JSONValue] = planned.map { p in
                [
                    "row": .int(Int64(p.row)), "action": .string(p.existing == nil ? "create" : "update"), "name": .string(p.parsed.identity.name),
                    "id_number": .string(p.parsed.identity.idNumber.masked),
                ]
            }
            // A case opens for a row asking for a kind the applicant has no active case of (a
            // new applicant has none).
            for i in planned.indices {
                guard let kind = planned[i].parsed.caseKind else { continue }
                if let existing = planned[i].existing {
                    planned[i].opensCase = try await CaseMethods.activeCases(of: kind, applicant: existing.id, in: tx.storage).isEmpty
                } else {
                    planned[i].opensCase = true
                }
            }
            let wouldOpen = planned.filter(\.opensCase).count
            var result: [String: JSONValue] = [
                "applied": false, "errors": .array(errors), "plan": .array(plan), "ignored_columns": .array(ignored.sorted().map(JSONValue.string)),
                "created": .int(Int64(planned.filter { $0.existing == nil }.count)),
                "updated": .int(Int64(planned.filter { $0.existing != nil }.count)), "cases_opened": .int(Int64(wouldOpen)),
            ]
            guard errors.isEmpty, !dryRun else {
                // Either way the staged personal data goes: a dry run or a refused import is not kept.
                try await tx.imports.finish(importID: params.importID)
                return .object(result)
            }

            var casesOpened = 0
            let calendar = try await tx.calendar.calendar()
            // New applicants, their employments and permit deadlines go in a batch at a time
            // (a few statements per batch); updates and cases go one row at a time.
            var records: [Int: ApplicantRecord] = [:]
            let new = planned.filter { $0.existing == nil }
            for start in stride(from: 0, to: new.count, by: 1000) {
                let batch = new[start..<min(start + 1000, new.count)]
                let created = try await tx.applicants.createMany(
                    try batch.map { p in
                        ApplicantStore.NewApplicant(
                            identity: p.parsed.identity, companyID: p.companyID, profile: try profile(over: ApplicantProfile(), p.parsed.profileFields))
                    }, cipher: context.services.cipher
                )
                try await DeadlineDerivation.deriveForNewApplicants(created, calendar: calendar, today: today, reason: "imported", user: tx.principal.userID, in: tx.storage)
                for (p, record) in zip(batch, created) { records[p.row] = record }
            }
            for p in planned {
                let record: ApplicantRecord
                if let existing = p.existing {
                    record = try await tx.applicants.update(
                        existing, name: p.parsed.identity.name, phone: p.parsed.identity.phone.map { .some($0) }, companyID: p.companyID, profile: try profile(over: existing.profile, p.parsed.profileFields), expectedVersion: existing.version, cipher: context.services.cipher)
                    try await DeadlineDerivation.deriveForApplicant(record, calendar: calendar, today: today, reason: "imported", user: tx.principal.userID, in: tx.storage)
                } else if let created = records[p.row] {
                    record = created
                } else {
                    continue
                }
                if p.opensCase, let kindID = p.parsed.caseKind, let kind = CaseKinds.kind(kindID) {
                    var state = CaseMachine.open(kind: kind)
                    // The permit date is the initial stage's data: recorded there, before a case
                    // already under way elsewhere moves on to the stage it comes in at.
                    if let received = record.profile.permitReceivedDate, kind.stage(kind.initialStage)?.field("permit_received_date") != nil {
                        state = try CaseMachine.record(state, kind: kind, data: ["permit_received_date": .date(received)])
                    }
                    if let stage = p.parsed.caseStage { state.stage = stage }
                    let opened = try await tx.cases.open(
                        state, applicantID: record.id, companyID: record.companyID, dueInDays: kind.stage(state.stage)?.allowedDays, now: tx.now, user: tx.principal.userID, data: WireJSON.string(["imported": true, "stage": .string(state.stage)]))
                    try await DeadlineDerivation.deriveForCase(opened, calendar: calendar, today: today, reason: "imported", user: tx.principal.userID, in: tx.storage)
                    casesOpened += 1
                }
            }
            try await tx.imports.finish(importID: params.importID)
            result["applied"] = true
            result["cases_opened"] = .int(Int64(casesOpened))
            return .object(result)
        }
    }

    static var all: [RPCMethod] {
        [
            .define(
                "import.begin", summary: "Starts a bulk import; send rows with import.rows, then import.commit.",
                params: [.required("kind", .string(enum: ["applicants"]), "What is imported")],
                result: .object([.required("import_id", .string(format: .uuid), "The import")]), mutates: true, roles: Role.writers, scope: .agency
            ) { (params: BeginParams, context) -> JSONValue in
                let id = try await context.withAgency { tx in
                    try await tx.imports.begin(kind: params.kind, user: tx.principal.userID)
                }
                return ["import_id": .string(id.lowercasedString)]
            },
            .define(
                "import.rows",
                summary: "Stages up to 500 rows of an import (sealed at rest). Each row is its number in the file (header excluded) and its fields by column key (docs/import.md).",
                params: [
                    .required("import_id", .string(format: .uuid), "The import"),
                    .required("rows", .array(.object([
                        .required("row", .integer(minimum: 1, maximum: 1_000_000), "Data row number in the file"),
                        .required("fields", .object([], additionalProperties: true), "Column key → text as in the file"),
                    ]), maxItems: 500), "The rows"),
                ],
                result: .object([.required("staged", .integer(minimum: 0), "Rows staged in this call")]),
                errors: [.notFound, .conflict], mutates: true, roles: Role.writers, scope: .agency, minimumDeadlineSeconds: 600
            ) { (params: RowsParams, context) -> JSONValue in
                try await context.withAgency { tx in
                    try await requireOpen(params.importID, in: tx.storage)
                    try await tx.imports.stage(
                        params.rows.map { (row: $0.row, fields: $0.fields) }, importID: params.importID, cipher: context.services.cipher)
                }
                return ["staged": .int(Int64(params.rows.count))]
            },
            .define(
                "import.commit",
                summary: "Validates every staged row and field, then (unless dry_run, and only if no row has an error) creates or updates applicants by ID number and opens the cases asked for, all in one transaction. The import is finished either way: stage again to retry.",
                params: [
                    .required("import_id", .string(format: .uuid), "The import"),
                    .optional("dry_run", .boolean, "true: report errors and the plan, write nothing"),
                ],
                result: .object([
                    .required("applied", .boolean, "Whether anything was written"),
                    .required("created", .integer(minimum: 0), "Applicants created (or that would be)"),
                    .required("updated", .integer(minimum: 0), "Applicants updated (or that would be)"),
                    .required("cases_opened", .integer(minimum: 0), "Cases opened"),
                    .required("errors", .array(.any), "Per row: row, column, rule, message"),
                    .required("plan", .array(.any), "Per valid row: row, action (create/update), name, masked id_number"),
                    .required("ignored_columns", .array(.string), "Column keys the rows gave that are no import column (序号, 备注): ignored, sorted"),
                ]),
                errors: [.notFound, .conflict], mutates: true, roles: Role.writers, scope: .agency, minimumDeadlineSeconds: 600
            ) { (params: CommitParams, context) -> JSONValue in
                try await commit(params, context: context)
            },
        ]
    }
}
