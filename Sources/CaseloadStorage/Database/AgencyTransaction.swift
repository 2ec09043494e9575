import Foundation
import Logging
import PostgresNIO

/// One agency's work on one connection: the connection (in a transaction, acting for the
/// agency, so row-level security sees only its rows), the agency every statement names
/// (keys include it, so the second wall does not stand alone), and the logger statements log
/// to. The stores hang off it, so a caller says `tx.cases.get(id)` instead of passing the
/// three to every call.
public struct AgencyTransaction: Sendable {
    public let connection: PostgresConnection
    public let agency: UUID
    public let logger: Logger

    public init(connection: PostgresConnection, agency: UUID, logger: Logger) {
        self.connection = connection
        self.agency = agency
        self.logger = logger
    }

    /// Which company an entity belongs to, and a consultant's companies.
    public var access: AccessStore { AccessStore(tx: self) }
    /// Applicants: identity (sealed), profile, lists.
    public var applicants: ApplicantStore { ApplicantStore(tx: self) }
    /// Personnel archives (档案) and their history.
    public var archives: ArchiveStore { ArchiveStore(tx: self) }
    /// The audit log.
    public var audit: AuditStore { AuditStore(tx: self) }
    /// The working-day calendar: statutory days and the agency's own.
    public var calendar: CalendarStore { CalendarStore(tx: self) }
    /// Cases, their stage state and history.
    public var cases: CaseStore { CaseStore(tx: self) }
    /// Client companies.
    public var companies: CompanyStore { CompanyStore(tx: self) }
    /// Users and which companies each consultant carries.
    public var consultants: ConsultantStore { ConsultantStore(tx: self) }
    /// The agency's deadline lock (sweeps and calendar changes).
    public var deadlineLock: DeadlineLock { DeadlineLock(tx: self) }
    /// Deadlines, derived and manual, and their history.
    public var deadlines: DeadlineStore { DeadlineStore(tx: self) }
    /// Documents and their custody ledger.
    public var documents: DocumentStore { DocumentStore(tx: self) }
    /// The names list lines show for ids, a page at a time.
    public var names: NameStore { NameStore(tx: self) }
    /// Idempotency keys of writes.
    public var idempotency: IdempotencyStore { IdempotencyStore(tx: self) }
    /// Staged imports.
    public var imports: ImportStore { ImportStore(tx: self) }
    /// Storage locations (cabinets, shelves).
    public var locations: LocationStore { LocationStore(tx: self) }
    /// Versions of the points rules.
    public var pointsRules: PointsRulesStore { PointsRulesStore(tx: self) }
    /// Reminders the jobs send.
    public var reminders: ReminderStore { ReminderStore(tx: self) }
    /// The reports' reads.
    public var reports: ReportStore { ReportStore(tx: self) }
    /// Finding applicants, cases and companies by name or pinyin.
    public var search: SearchStore { SearchStore(tx: self) }
    /// The agency's own notice templates.
    public var noticeTemplates: NoticeTemplateStore { NoticeTemplateStore(tx: self) }
    /// The agency's settings.
    public var settings: SettingsStore { SettingsStore(tx: self) }
    /// Time allowed per stage.
    public var stageTimes: StageTimeStore { StageTimeStore(tx: self) }
    /// API tokens.
    public var tokens: TokenStore { TokenStore(tx: self) }
}

/// A store: the statements of one topic, run in one agency's transaction.
public protocol AgencyStore: Sendable {
    var tx: AgencyTransaction { get }
    init(tx: AgencyTransaction)
}

extension AgencyStore {
    var connection: PostgresConnection { tx.connection }
    var agency: UUID { tx.agency }
    var logger: Logger { tx.logger }
}
