import Foundation
import Kiel
#if canImport(Glibc)
import Glibc
#endif

/// `kiel produce`'s progress line on a terminal: messages sent and acknowledged and the
/// acknowledgement rate, redrawn in place twice a second on standard error. Not shown when
/// standard error is not a terminal, so piped or redirected runs stay silent.
final class ProduceProgress {
    private let timer: PeriodicCallback
    private var lastAcknowledged = 0
    private var lastTime: Deadline
    private var rate = 0.0
    private var drawn = false

    /// Starts drawing for `producer` if standard error is a terminal; nil otherwise.
    static func startIfTerminal<V>(_ producer: Producer<V>) -> ProduceProgress? {
        isatty(2) == 1 ? ProduceProgress(producer) : nil
    }

    private init<V>(_ producer: Producer<V>) {
        let loop = producer.loop
        lastTime = loop.now
        var me: ProduceProgress?
        timer = PeriodicCallback(loop: loop, interval: .milliseconds(500)) { [weak producer] in
            guard let producer, let progress = me else { return }
            progress.draw(producer.statistics().producer ?? ProducerStatistics(), now: loop.now)
        }
        me = self
        timer.start()
    }

    private func draw(_ p: ProducerStatistics, now: Deadline) {
        let seconds = Double((now - lastTime).components.seconds) + Double((now - lastTime).components.attoseconds) / 1e18
        if seconds > 0 { rate = Double(p.recordsDelivered - lastAcknowledged) / seconds }
        lastAcknowledged = p.recordsDelivered
        lastTime = now
        FileHandleOutput.stderr("\r\u{1B}[K\(p.recordsProduced) sent, \(p.recordsDelivered) acknowledged, "
                                + "\(Int(rate.rounded())) msg/s" + (p.deliveryFailures > 0 ? ", \(p.deliveryFailures) failed" : ""))
        drawn = true
    }

    /// Draws the last state and ends the line.
    func finish<V>(_ producer: Producer<V>) {
        timer.stop()
        if let p = producer.statistics().producer {
            draw(p, now: producer.loop.now)
        }
        if drawn { FileHandleOutput.stderr("\n") }
    }
}
