import CaseloadCore
import Testing

@Suite struct DocumentCatalogueTests {
    @Test func idsAreUniqueAndSnakeCase() {
        let ids = DocumentCatalogue.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.allSatisfy { ($0 >= "a" && $0 <= "z") || $0 == "_" }, "\(id)")
        }
    }

    @Test func briefTypesArePresentWithOwners() {
        let company = [
            "business_licence", "credit_code_certificate", "social_insurance_registration", "company_ic_card",
            "introduction_letter", "hr_officer_id",
        ]
        let applicant = [
            "id_card", "residence_permit", "application_form", "household_register", "labour_contract", "dispatch_agreement",
            "graduation_certificate", "degree_certificate", "xuexin_record", "degree_verification_report", "associate_diploma",
            "title_certificate", "receipt", "points_notice", "archive_retrieval",
        ]
        for id in company { #expect(DocumentCatalogue.type(id)?.owner == .company, "\(id)") }
        for id in applicant { #expect(DocumentCatalogue.type(id)?.owner == .applicant, "\(id)") }
        #expect(DocumentCatalogue.all.count == company.count + applicant.count)
        #expect(DocumentCatalogue.type("nonsense") == nil)
    }

    @Test func expectedForms() {
        #expect(DocumentCatalogue.type("graduation_certificate")?.expectedForms == [.original, .copy])
        #expect(DocumentCatalogue.type("associate_diploma")?.expectedForms == [.original, .copy])
        #expect(DocumentCatalogue.type("introduction_letter")?.expectedForms == [.original])
        #expect(DocumentCatalogue.type("business_licence")?.expectedForms == [.sealedCopy])
        for type in DocumentCatalogue.all { #expect(!type.expectedForms.isEmpty, "\(type.id)") }
    }

    @Test func everyChecklistLineUsesAKnownTypeInAnExpectedFormAndARealStage() {
        for kindID in Checklists.kinds {
            let entries = Checklists.entries(for: kindID)
            #expect(!entries.isEmpty, "\(kindID)")
            let kind = CaseKinds.kind(kindID)
            #expect(kind != nil, "\(kindID)")
            for entry in entries {
                let type = DocumentCatalogue.type(entry.documentType)
                #expect(type != nil, "\(kindID): \(entry.documentType)")
                #expect(type?.expectedForms.contains(entry.form) == true, "\(kindID): \(entry.documentType) \(entry.form)")
                #expect(kind?.stage(entry.requiredBy) != nil, "\(kindID): stage \(entry.requiredBy)")
            }
            #expect(Set(entries).count == entries.count, "\(kindID) has duplicate lines")
        }
        let pointsNew = CaseKinds.pointsNew
        for entry in Checklists.employerActivation {
            #expect(DocumentCatalogue.type(entry.documentType)?.owner == .company)
            #expect(pointsNew.stage(entry.requiredBy) != nil)
        }
        #expect(Checklists.entries(for: "nonsense").isEmpty)
    }

    @Test func parseNamesTheField() throws {
        #expect(try DocumentCatalogue.parse(" id_card ").id == "id_card")
        #expect(issue { try DocumentCatalogue.parse("passport") }?.field == "document_type")
        #expect(issue { try DocumentForm.parse("scan", field: "documents.form") }?.field == "documents.form")
        #expect(try DocumentForm.parse("sealed_copy") == .sealedCopy)
    }

    @Test func formSatisfaction() {
        #expect(DocumentForm.original.satisfies(.copy))
        #expect(DocumentForm.sealedCopy.satisfies(.copy))
        #expect(!DocumentForm.original.satisfies(.sealedCopy))
        #expect(!DocumentForm.copy.satisfies(.sealedCopy))
        #expect(!DocumentForm.copy.satisfies(.original))
        #expect(!DocumentForm.sealedCopy.satisfies(.original))
        for form in DocumentForm.allCases { #expect(form.satisfies(form)) }
    }
}
