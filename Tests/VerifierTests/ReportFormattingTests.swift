import Ledger
import Testing
@testable import Verifier

@Suite("report formatting: CSV cells, HTML escaping, windows, chart ticks, FHIR codes")
struct ReportFormattingTests {
    @Test("CSV quotes separators and quotes, and defuses cells a spreadsheet would run as formulas")
    func csvCells() {
        #expect(ReportCSV.cell(nil) == "")
        #expect(ReportCSV.cell("plain") == "plain")
        #expect(ReportCSV.cell("1 Hill Road, Springfield") == #""1 Hill Road, Springfield""#)
        #expect(ReportCSV.cell(#"say "hi""#) == #""say ""hi""""#)
        #expect(ReportCSV.cell("two\r\nlines") == "\"two\r\nlines\"")
        #expect(ReportCSV.cell("=HYPERLINK(\"http://x\")") == #""'=HYPERLINK(""http://x"")""#)
        #expect(ReportCSV.cell("+1") == "'+1" && ReportCSV.cell("@SUM(A1)") == "'@SUM(A1)" && ReportCSV.cell("-2") == "'-2")
    }

    @Test("HTML escaping covers text and attribute values")
    func htmlEscaping() {
        #expect(HTML.escape(#"<script>alert('x')</script> & "q""#) == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
    }

    @Test("a window's ends: a day is its midnight, or the next one for --to; UTC times with or without a fraction; anything else refused")
    func windowEnds() throws {
        #expect(try WindowTime.microseconds("2026-11-01", endOfDay: false) == 1_793_491_200_000_000)
        #expect(try WindowTime.microseconds("2026-11-01", endOfDay: true) == 1_793_577_600_000_000)
        #expect(try WindowTime.microseconds("2026-11-01T12:00:00Z", endOfDay: true) == 1_793_534_400_000_000)
        #expect(try WindowTime.microseconds("2026-11-01T12:00:00.000001Z", endOfDay: false) == 1_793_534_400_000_001)
        for bad in ["2026-11-1", "yesterday", "2026-11-01T12:00:00+01:00", "2026-13-01"] {
            #expect(throws: (any Error).self) { try WindowTime.microseconds(bad, endOfDay: false) }
        }
    }

    @Test("chart ticks are round and reach no further than the largest value")
    func ticks() {
        #expect(SVGChart.ticks(1) == [0, 1])
        #expect(SVGChart.ticks(19) == [0, 5, 10, 15])
        #expect(SVGChart.ticks(1234) == [0, 500, 1000])
        #expect(SVGChart.ticks(0) == [0])
    }

    @Test("actions map to FHIR AuditEvent actions")
    func fhirActions() {
        #expect(["patient.create", "patient.read", "task.update", "patient.shred", "auth.login"].map(FHIRAuditEvent.crud) == ["C", "R", "U", "D", "E"])
    }
}
