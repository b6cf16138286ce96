/// Runs a parsed command to completion on an IOLoop and returns the process exit status.
enum Runner {
    static func run(_ command: Command) -> Int32 {
        switch command {
        case .help(let text):
            FileHandleOutput.stdout(text + "\n")
            return 0
        default:
            FileHandleOutput.stderr("kiel: not available yet\n")
            return 1
        }
    }
}
