import Foundation

extension CalendarDate {
    /// The civil date in Shanghai (UTC+8 all year: China keeps no daylight saving) of an instant.
    public init(shanghai instant: Date) {
        self.init(daysSinceEpoch: Int(((instant.timeIntervalSince1970 + 8 * 3600) / 86400).rounded(.down)))
    }
}
