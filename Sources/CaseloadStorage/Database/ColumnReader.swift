import PostgresNIO

/// Reads one row's columns in order, a part at a time: a statement that joins several stores'
/// columns (the case with its facts, `CaseStore.lock`) decodes each store's part with that
/// store's own row type, `CaseStore.Row` then `ApplicantStore.Row`, instead of one long tuple.
struct ColumnReader {
    private let row: PostgresRandomAccessRow
    /// The next column to read.
    private(set) var offset = 0

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    /// The next columns as `type`; a row with fewer columns left is an error, not a trap.
    mutating func read<each Column: PostgresDecodable>(_ type: (repeat each Column).Type) throws -> (repeat each Column) {
        var count = 0
        for _ in repeat (each Column).self { count += 1 }
        guard offset + count <= row.count else { throw MissingColumns(wanted: offset + count, got: row.count) }
        var index = offset
        offset += count
        func next<C: PostgresDecodable>(_: C.Type) throws -> C {
            defer { index += 1 }
            return try row[index].decode(C.self)
        }
        return (repeat try next((each Column).self))
    }

    /// A statement returned fewer columns than its reader reads: a statement and its decoder out of step.
    struct MissingColumns: Error, CustomStringConvertible {
        var wanted: Int
        var got: Int
        var description: String { "the row has \(got) columns; its reader wants \(wanted)" }
    }
}
