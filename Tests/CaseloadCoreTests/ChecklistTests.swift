import CaseloadCore
import Foundation
import Testing

@Suite struct ChecklistTests {
    /// The document types the points_new checklist asks for, for `profile`.
    func required(_ profile: ApplicantProfile, kind: String = "points_new") -> Set<String> {
        Set(ChecklistResult.evaluate(kind: kind, profile: profile, documents: []).items.map(\.documentType))
    }

    /// Everything the checklist asks of `profile`, held in exactly the forms it asks for.
    func everything(for profile: ApplicantProfile, kind: String = "points_new") -> [HeldDocument] {
        Checklists.entries(for: kind).filter { $0.condition.holds(profile: profile, caseKind: kind) }
            .map { HeldDocument(documentType: $0.documentType, form: $0.form) }
    }

    @Test func baseListHasNoConditionalPapers() {
        let base = required(ApplicantProfile())
        for id in ["introduction_letter", "hr_officer_id", "business_licence", "residence_permit", "application_form",
            "id_card", "household_register", "labour_contract", "graduation_certificate", "degree_certificate",
            "xuexin_record", "degree_verification_report"] {
            #expect(base.contains(id), "\(id)")
        }
        for id in ["associate_diploma", "dispatch_agreement", "title_certificate", "archive_retrieval"] {
            #expect(!base.contains(id), "\(id)")
        }
    }

    @Test func conditionsAddPapers() {
        let base = required(ApplicantProfile())
        var upgraded = ApplicantProfile()
        upgraded.upgradedFromAssociate = true
        #expect(required(upgraded).subtracting(base) == ["associate_diploma"])
        var dispatched = ApplicantProfile()
        dispatched.dispatched = true
        #expect(required(dispatched).subtracting(base) == ["dispatch_agreement"])
        var titled = ApplicantProfile()
        titled.skillLevel = .intermediateTitle
        #expect(required(titled).subtracting(base) == ["title_certificate"])
        var children = ApplicantProfile()
        children.coResidentChildren = true
        #expect(required(children).subtracting(base) == ["archive_retrieval"])
        // false is the same as unknown: nothing added.
        var no = ApplicantProfile()
        no.dispatched = false
        no.upgradedFromAssociate = false
        no.coResidentChildren = false
        #expect(required(no) == base)
    }

    @Test func associateDiplomaNeedsOriginalAndCopy() {
        var upgraded = ApplicantProfile()
        upgraded.upgradedFromAssociate = true
        let items = ChecklistResult.evaluate(kind: "points_new", profile: upgraded, documents: []).items
        #expect(Set(items.filter { $0.documentType == "associate_diploma" }.map(\.form)) == [.original, .copy])
    }

    @Test func renewalList() {
        let renewal = Checklists.entries(for: "points_renewal")
        #expect(Set(renewal.map(\.requiredBy)) == ["paper_materials"])
        let lines = Set(renewal.map { "\($0.documentType)/\($0.form.rawValue)" })
        for line in ["introduction_letter/original", "hr_officer_id/original", "residence_permit/original", "residence_permit/copy",
            "id_card/original", "application_form/original"] {
            #expect(lines.contains(line), "\(line)")
        }
        #expect(!required(ApplicantProfile(), kind: "points_renewal").contains("graduation_certificate"))
    }

    @Test func conditionForKind() {
        let profile = ApplicantProfile()
        #expect(ChecklistCondition.kind("points_new").holds(profile: profile, caseKind: "points_new"))
        #expect(!ChecklistCondition.kind("points_new").holds(profile: profile, caseKind: "points_renewal"))
        #expect(ChecklistCondition.not(.dispatched).holds(profile: profile, caseKind: "points_new"))
        #expect(ChecklistCondition.all([]).holds(profile: profile, caseKind: "x"))
        #expect(!ChecklistCondition.any([]).holds(profile: profile, caseKind: "x"))
    }

    @Test func completeWhenEverythingHeld() {
        let result = ChecklistResult.evaluate(kind: "points_new", profile: ApplicantProfile(), documents: everything(for: ApplicantProfile()))
        #expect(result.isComplete)
        #expect(result.missing.isEmpty)
        #expect(result.issues().isEmpty)
        #expect(issues { try result.requireComplete() }.isEmpty)
    }

    /// The points_new checklist with everything held except the lines of `type`, plus `extra`.
    func evaluateWithout(_ type: String, plus extra: [HeldDocument]) -> ChecklistResult {
        let docs = everything(for: ApplicantProfile()).filter { $0.documentType != type } + extra
        return ChecklistResult.evaluate(kind: "points_new", profile: ApplicantProfile(), documents: docs)
    }

    @Test func originalSatisfiesACopyLineButNotASealedCopyLine() {
        // Diploma: original held, copy line met too (a copy is made on the spot).
        let diploma = evaluateWithout("graduation_certificate", plus: [HeldDocument(documentType: "graduation_certificate", form: .original)])
        #expect(diploma.isComplete)

        // Only a copy: the original line is missing.
        let copyOnly = evaluateWithout("graduation_certificate", plus: [HeldDocument(documentType: "graduation_certificate", form: .copy)])
        #expect(copyOnly.missing.map(\.documentType) == ["graduation_certificate"])
        #expect(copyOnly.missing.map(\.form) == [.original])

        // Licence: an original does not meet the sealed-copy line; a plain copy does not either.
        for form in [DocumentForm.original, .copy] {
            let licence = evaluateWithout("business_licence", plus: [HeldDocument(documentType: "business_licence", form: form)])
            #expect(licence.missing.map(\.documentType) == ["business_licence"], "\(form)")
            #expect(licence.missing.first?.form == .sealedCopy)
        }
        let sealed = evaluateWithout("business_licence", plus: [HeldDocument(documentType: "business_licence", form: .sealedCopy)])
        #expect(sealed.isComplete)
    }

    @Test func papersNotHeldDoNotCount() {
        // The diploma original is at the talent center: not in hand, but handed in, so it is
        // delivered, not missing (for the copy line too, which an original meets).
        let out = evaluateWithout(
            "graduation_certificate",
            plus: [HeldDocument(documentType: "graduation_certificate", form: .original, holder: .talentCenter)])
        #expect(out.missing.isEmpty)
        let lines = out.items.filter { $0.documentType == "graduation_certificate" }
        #expect(lines.count == 2 && lines.allSatisfy { !$0.present && $0.submitted })
        // Returned to the client, or never received: it counts for nothing.
        for holder: Holder? in [.returned, nil] {
            let gone = evaluateWithout("graduation_certificate", plus: [HeldDocument(documentType: "graduation_certificate", form: .original, holder: holder)])
            #expect(Set(gone.missing.map(\.form)) == [.original, .copy])
        }
        let inDrawer = evaluateWithout(
            "graduation_certificate",
            plus: [HeldDocument(documentType: "graduation_certificate", form: .original, holder: .agency(locationCode: "CAB-1"))])
        #expect(inDrawer.isComplete)
        let notReceived = HeldDocument(documentType: "id_card", form: .original, holder: nil)
        #expect(!notReceived.held)
    }

    @Test func missingBecomeFieldIssues() throws {
        var profile = ApplicantProfile()
        profile.dispatched = true
        let result = ChecklistResult.evaluate(kind: "points_new", profile: profile, documents: everything(for: ApplicantProfile()))
        #expect(result.missing.count == 2)
        let found = result.issues()
        try #require(found.count == 2)
        #expect(found.allSatisfy { $0.field == "documents" && $0.rule == "checklist" })
        #expect(found[0].message.contains("劳务派遣协议"))
        #expect(found[0].message.contains("Dispatch agreement"))
        #expect(found[0].message.contains("原件"))
        #expect(found[0].message.contains("original"))
        #expect(found[1].message.contains("复印件"))
        #expect(issues { try result.requireComplete() }.count == 2)
    }

    @Test func missingForEnteringAStage() {
        let kind = CaseKinds.pointsNew
        let result = ChecklistResult.evaluate(kind: "points_new", profile: ApplicantProfile(), documents: [])
        #expect(result.missing(forEntering: "submitted_online", of: kind).isEmpty)
        #expect(result.missing(forEntering: "materials_delivered", of: kind).count == result.missing.count)
        #expect(result.missing(forEntering: "accepted", of: kind).count == result.missing.count)
    }

    @Test func jsonShapes() throws {
        let entry = ChecklistEntry(documentType: "title_certificate", form: .sealedCopy, condition: .not(.kind("points_renewal")), requiredBy: "accepted")
        let data = try JSONEncoder().encode(entry)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"document_type\""))
        #expect(text.contains("\"required_by\""))
        #expect(text.contains("\"sealed_copy\""))
        #expect(text.contains("\"condition\":\"not\""))
        #expect(try JSONDecoder().decode(ChecklistEntry.self, from: data) == entry)

        for condition: ChecklistCondition in [.always, .upgradedFromAssociate, .dispatched, .titleUsed, .coResidentChildren,
            .kind("points_new"), .all([.dispatched, .titleUsed]), .any([.not(.always)])] {
            let round = try JSONDecoder().decode(ChecklistCondition.self, from: JSONEncoder().encode(condition))
            #expect(round == condition)
        }

        let result = ChecklistResult.evaluate(kind: "points_new", profile: ApplicantProfile(), documents: [])
        let resultText = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        #expect(resultText.contains("\"missing\""))
        #expect(resultText.contains("\"complete\":false"))
        #expect(resultText.contains("\"chinese_name\""))
        #expect(try JSONDecoder().decode(ChecklistResult.self, from: JSONEncoder().encode(result)) == result)
    }

    @Test func profileCarriesCoResidentChildren() throws {
        #expect(ApplicantProfile.fieldNames.contains("co_resident_children"))
        let profile = try JSONDecoder().decode(ApplicantProfile.self, from: Data(#"{"co_resident_children": true}"#.utf8))
        #expect(profile.coResidentChildren == true)
    }
}
