@testable import CaseloadStorage
import Testing

/// The constraint a refusal names decides which field the client is told about
/// (`credit_code`, `id_number`), so it must read the same on one PostgreSQL and on Citus.
@Suite("Constraint names from PostgreSQL and Citus errors")
struct ConstraintNameTests {
    @Test("PostgreSQL's constraint field is taken as it is")
    func plain() {
        #expect(StorageError.constraint(named: "companies_agency_id_credit_code_key", message: nil) == "companies_agency_id_credit_code_key")
        #expect(StorageError.constraint(named: "cases_pkey", message: "ignored \"other\"") == "cases_pkey")
    }

    @Test("a Citus shard's suffix is dropped, from the field or, where Citus leaves it out, from the message")
    func citus() {
        #expect(StorageError.constraint(named: "companies_agency_id_credit_code_key_102179", message: nil) == "companies_agency_id_credit_code_key")
        let unique = #"duplicate key value violates unique constraint "applicants_agency_id_id_number_key_102211""#
        #expect(StorageError.constraint(named: nil, message: unique) == "applicants_agency_id_id_number_key")
        let foreign = #"insert or update on table "cases_102300" violates foreign key constraint "cases_agency_id_applicant_id_fkey_102300""#
        #expect(StorageError.constraint(named: nil, message: foreign) == "cases_agency_id_applicant_id_fkey")
    }

    @Test("no name at all, an unquoted message or a name that merely ends in a word stays as it is")
    func edges() {
        #expect(StorageError.constraint(named: nil, message: nil) == nil)
        #expect(StorageError.constraint(named: nil, message: "duplicate key value") == nil)
        #expect(StorageError.constraint(named: "label_", message: nil) == "label_")
        #expect(StorageError.constraint(named: "x_2fa", message: nil) == "x_2fa")
    }
}
