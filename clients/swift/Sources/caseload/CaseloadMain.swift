import CaseloadCLI

@main
enum CaseloadMain {
    static func main() async {
        await CaseloadCommand.main(nil)
    }
}
