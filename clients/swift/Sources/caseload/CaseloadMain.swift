import CaseloadCLI
import Foundation

@main
enum CaseloadMain {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // Before parsing, so that the parser's own errors and the "did you mean" are in it too.
        Language.choose(arguments: arguments, environment: ProcessInfo.processInfo.environment)
        if let refusal = CommandSuggestion.refusal(for: arguments) {
            FileHandle.standardError.write(Data("caseload: \(refusal)\n".utf8))
            exit(64)  // EX_USAGE, as ArgumentParser exits for a usage error
        }
        await CaseloadCommand.main(arguments)
    }
}
