import CaseloadCore
import CaseloadProtocol
import CaseloadStorage
import Foundation
import PostgresNIO

/// The working-day calendar: the shared default from the State Council notices, plus the
/// agency's own days. Every change re-derives the open deadlines it moves.
enum CalendarMethods {
    struct ListParams: Decodable, Sendable {
        var year: Int?
    }

    struct SetParams: Decodable, Sendable {
        var date: CalendarDate
        var kind: String
        var name: String?
    }

    struct ImportParams: Decodable, Sendable {
        var csv: String
    }

    /// Re-derives the agency's open deadlines with its calendar as it now is.
    static func recompute(reason: String, in tx: Transaction) async throws -> Int {
        let calendar = try await tx.calendar.calendar()
        return try await DeadlineDerivation.recomputeAll(calendar: calendar, today: tx.today, reason: reason, user: tx.principal.userID, in: tx.storage)
    }

    static var all: [RPCMethod] {
        [
            .define(
                "calendar.list", summary: "The calendar's holidays and make-up workdays for a year (built-in and the agency's own), and the years it knows.",
                params: [.optional("year", .integer(minimum: 2000, maximum: 2100), "Only this year")],
                result: .object([
                    .required("days", .array(.object([
                        .required("date", .string(format: .date), "The day"),
                        .required("kind", .string(enum: ["holiday", "workday"]), "holiday, or workday (a make-up workday, 调休)"),
                        .required("name", .string, "Holiday name"),
                        .required("source", .string(enum: ["builtin", "agency"]), "Where it comes from"),
                    ])), "By date"),
                    .required("known_years", .array(.integer()), "Years counted without being provisional"),
                ]), scope: .agency
            ) { (params: ListParams, context) -> JSONValue in
                let (own, years) = try await context.withAgency { tx in
                    try await tx.calendar.own()
                }
                let overridden = Set(own.map(\.date))
                var days = BuiltinCalendar.entries.filter { !overridden.contains($0.date) }.map { ($0, "builtin") } + own.map { ($0, "agency") }
                if let year = params.year { days = days.filter { $0.0.date.year == year } }
                days.sort { $0.0.date < $1.0.date }
                return [
                    "days": .array(days.map { e, source in
                        ["date": .string(e.date.iso), "kind": .string(e.kind.rawValue), "name": .string(e.name), "source": .string(source)]
                    }),
                    "known_years": .array(BuiltinCalendar.knownYears.union(years).sorted().map { .int(Int64($0)) }),
                ]
            },
            .define(
                "calendar.set",
                summary: "Sets one day as a holiday or a make-up workday (or `normal` to drop the agency's entry); open deadlines it moves are re-derived, with the change in their history.",
                params: [
                    .required("date", .string(format: .date), "The day"),
                    .required("kind", .string(enum: ["holiday", "workday", "normal"]), "holiday, workday (调休), or normal"),
                    .optional("name", .string(maxLength: 100, minLength: 1), "Holiday name (required for holiday and workday)"),
                ],
                result: .object([.required("moved", .integer(minimum: 0), "Open deadlines whose date moved")]),
                errors: [.validationFailed, .forbidden], mutates: true, roles: Role.owners, scope: .agency
            ) { (params: SetParams, context) -> JSONValue in
                let moved = try await context.withAgency { tx in
                    // Before any write: calendar changes and the sweep rewrite deadlines one at a time.
                    try await tx.deadlineLock.lock()
                    if params.kind == "normal" {
                        try await tx.calendar.remove(params.date)
                    } else {
                        guard let name = params.name, let kind = DayKind(rawValue: params.kind) else {
                            throw ValidationError(field: "name", rule: "required", message: "a holiday or make-up workday needs a name", zh: "节假日或调休上班日须有名称")
                        }
                        try await tx.calendar.set(CalendarEntry(date: params.date, kind: kind, name: name))
                    }
                    return try await recompute(reason: "calendar changed: \(params.date.iso) is now \(params.kind)\(params.name.map { " (\($0))" } ?? "")", in: tx)
                }
                return ["moved": .int(Int64(moved))]
            },
            .define(
                "calendar.import",
                summary: "Imports days from a CSV in the built-in format (`date,kind,name`); the years it covers become known. Open deadlines are re-derived.",
                params: [.required("csv", .string(maxLength: 200_000, minLength: 1), "The CSV text")],
                result: .object([
                    .required("imported", .integer(minimum: 0), "Days imported"),
                    .required("years", .array(.integer()), "Years now known"),
                    .required("moved", .integer(minimum: 0), "Open deadlines whose date moved"),
                ]),
                errors: [.validationFailed, .forbidden], mutates: true, roles: Role.owners, scope: .agency
            ) { (params: ImportParams, context) -> JSONValue in
                let entries = try CalendarCSV.parse(params.csv)
                let years = Set(entries.map(\.date.year))
                let moved = try await context.withAgency { tx in
                    try await tx.deadlineLock.lock()
                    for entry in entries { try await tx.calendar.set(entry) }
                    try await tx.calendar.markKnown(years: years)
                    return try await recompute(reason: "calendar imported: \(entries.count) days for \(years.sorted().map(String.init).joined(separator: ", "))", in: tx)
                }
                return ["imported": .int(Int64(entries.count)), "years": .array(years.sorted().map { .int(Int64($0)) }), "moved": .int(Int64(moved))]
            },
            .define(
                "settings.get", summary: "The agency's settings.",
                result: .object([.required("auto_open_renewals", .boolean, "Open a renewal case automatically at the first reminder before a permit expires")]), scope: .agency
            ) { (_: NoParams, context) -> JSONValue in
                let value = try await context.withAgency { tx in
                    try await tx.settings.autoOpenRenewals()
                }
                return ["auto_open_renewals": .bool(value)]
            },
            .define(
                "settings.set", summary: "Changes the agency's settings. Owner only.",
                params: [.required("auto_open_renewals", .boolean, "Open a renewal case automatically at the first reminder (once per permit expiry)")],
                result: .object([.required("auto_open_renewals", .boolean, "Now")]),
                errors: [.forbidden], mutates: true, roles: Role.owners, scope: .agency
            ) { (params: SettingsParams, context) -> JSONValue in
                try await context.withAgency { tx in
                    try await tx.settings.setAutoOpenRenewals(params.autoOpenRenewals)
                }
                return ["auto_open_renewals": .bool(params.autoOpenRenewals)]
            },
        ]
    }

    struct SettingsParams: Decodable, Sendable {
        var autoOpenRenewals: Bool
        enum CodingKeys: String, CodingKey { case autoOpenRenewals = "auto_open_renewals" }
    }
}

