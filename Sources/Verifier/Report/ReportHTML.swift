/// The report as one self-contained HTML page: styles inline, charts as inline SVG, no script and nothing
/// fetched (its Content-Security-Policy allows nothing else), laid out to print on A4 or Letter. Every value is
/// escaped; patients' names appear only when the KEK opened them.
enum ReportHTML {
    /// Access rows listed on the page; the JSON and CSV forms hold them all.
    static let accessRowsShown = 500

    static func render(_ report: ComplianceReport) -> String {
        let person = { (id: String?) -> String in
            guard let id else { return "—" }
            return report.people[id].map { "\($0) (\(short(id)))" } ?? short(id)
        }
        let patient = { (id: String?) -> String in
            guard let id else { return "—" }
            guard let label = report.patients[id] else { return short(id) }
            if label.shredded { return "\(short(id)) (shredded)" }
            let known = [label.name, label.mrn].compactMap { $0 }
            return known.isEmpty ? short(id) : known.joined(separator: ", ")
        }
        let status = report.chainStatus
        var body: [String] = []
        body.append("<header>")
        body.append("<h1>Compliance report: chain \(HTML.escape(report.chain))</h1>")
        body.append("<p class=\"meta\">\(HTML.escape(day(report.window.from))) to \(HTML.escape(day(report.window.to))) (UTC, the end excluded)"
            + (report.user.map { " · account \(HTML.escape(person($0)))" } ?? "")
            + (report.patient.map { " · patient \(HTML.escape(patient($0)))" } ?? "")
            + " · generated \(HTML.escape(time(report.generatedAt)))</p>")
        body.append(status.intact
            ? "<p class=\"status intact\">Chain intact: \(status.entries) entries verified, head \(HTML.escape(String(status.headHash.prefix(16))))…</p>"
            : "<p class=\"status tampered\">TAMPERING FOUND: \(status.findings) findings. The figures below come from the entries that verified; run <code>verifier verify</code> for every finding.</p>")
        if !report.sealedFieldsOpened {
            body.append("<p class=\"note\">Sealed fields (patients' names, disclosure details, break-glass reasons) were not opened: run with <code>--kek</code> to include them.</p>")
        } else {
            body.append("<p class=\"note\">This report names patients: handle it as protected health information.</p>")
        }
        body.append("</header>")

        let summary = report.accessSummary
        body.append("<section class=\"cards\">")
        for (label, value) in [
            ("PHI accesses", summary.total), ("denied", summary.denied), ("under break-glass", summary.underBreakGlass),
            ("disclosures", report.disclosures.count), ("break-glass grants", report.breakGlass.count),
            ("failed sign-ins", report.failedSignIns.count), ("lockouts", report.lockouts.count),
            ("privilege changes", report.privilegeChanges.count),
        ] {
            body.append("<div class=\"card\"><b>\(value)</b><span>\(label)</span></div>")
        }
        body.append("</section>")

        body.append("<section><h2>Access to patients' records</h2>")
        body.append("<figure>" + SVGChart.columns(summary.byDay, title: "PHI accesses per period") + "<figcaption>Accesses per "
            + (summary.byDay.first?.key.count == 7 ? "month" : "day") + ": allowed <span class=\"key allowed\"></span> denied <span class=\"key denied\"></span></figcaption></figure>")
        if !summary.byUser.isEmpty {
            body.append("<figure>" + SVGChart.bars(summary.byUser.map { (person($0.key), $0) }, title: "PHI accesses by person")
                + "<figcaption>Accesses by person (the ten busiest)</figcaption></figure>")
        }
        body.append(table(
            caption: "By person", headers: ["Person", "Accesses", "Denied", "Under break-glass"],
            rows: summary.byUser.map { [person($0.key), String($0.total), String($0.denied), String($0.underBreakGlass)] }))
        body.append(table(
            caption: "By patient", headers: ["Patient", "Accesses", "Denied", "Under break-glass"],
            rows: summary.byPatient.map { [patient($0.key), String($0.total), String($0.denied), String($0.underBreakGlass)] }))
        let shownAccesses = report.accesses.prefix(accessRowsShown)
        body.append(table(
            caption: report.accesses.count > accessRowsShown
                ? "Each access (the first \(accessRowsShown) of \(report.accesses.count); the CSV and JSON forms list all)" : "Each access",
            headers: ["Seq", "Time", "Person", "Action", "Patients", "Outcome", "Purpose"],
            rows: shownAccesses.map { access in
                [
                    String(access.seq), time(access.time), person(access.user), access.action,
                    access.patients.count > 3 ? "\(access.patients.count) patients" : access.patients.map(patient).joined(separator: "; "),
                    access.outcome + (access.breakGlass ? " (break-glass)" : ""), access.purposeOfUse ?? "—",
                ]
            }))
        body.append("</section>")

        body.append("<section><h2>Accounting of disclosures (HIPAA 164.528)</h2>")
        body.append(table(
            caption: nil, headers: ["Date", "Patient", "Recipient", "Address", "What was disclosed", "Purpose", "Recorded by", "Seq"],
            rows: report.disclosures.map { disclosure in
                [
                    disclosure.disclosedAt.map(time) ?? sealed, patient(disclosure.patient), disclosure.recipientName ?? sealed,
                    disclosure.recipientAddress ?? (disclosure.recipientName == nil ? sealed : "not known"), disclosure.description ?? sealed,
                    disclosure.purpose ?? sealed, person(disclosure.recordedBy), String(disclosure.seq),
                ]
            }))
        body.append("</section>")

        body.append("<section><h2>Break-glass use</h2>")
        body.append(table(
            caption: nil, headers: ["Opened", "Person", "Patient", "Minutes", "Reason", "Accesses under it", "Seq"],
            rows: report.breakGlass.map { use in
                [
                    time(use.time), person(use.user), patient(use.patient), use.minutes.map(String.init) ?? sealed, use.reason ?? sealed,
                    String(use.accessesUnderGrant), String(use.seq),
                ]
            }))
        body.append("</section>")

        if report.patient == nil {
            body.append("<section><h2>Failed sign-ins and lockouts</h2>")
            body.append(table(
                caption: "Failed sign-ins", headers: ["Time", "Account", "Address", "Method", "Reason", "Seq"],
                rows: report.failedSignIns.map {
                    [time($0.time), $0.account.map(person) ?? "unknown account", $0.clientAddress ?? "—", $0.method ?? "—", $0.reason ?? "—", String($0.seq)]
                }))
            body.append(table(
                caption: "Lockouts", headers: ["Time", "Scope", "Account or address", "Until", "Seq"],
                rows: report.lockouts.map {
                    [time($0.time), $0.scope ?? "—", $0.account.map(person) ?? $0.clientAddress ?? "—", $0.until.map(time) ?? "—", String($0.seq)]
                }))
            body.append("</section>")
            body.append("<section><h2>Privilege changes</h2>")
            body.append(table(
                caption: nil, headers: ["Time", "By", "Change", "Account or object", "From", "To", "Seq"],
                rows: report.privilegeChanges.map { change in
                    let target = change.action.hasPrefix("user.") ? person(change.target) : (change.target.map { short($0) } ?? "—")
                    return [time(change.time), person(change.by), change.action, target, change.from ?? "—", change.to ?? "—", String(change.seq)]
                }))
            body.append("</section>")
        }

        body.append("<section><h2>Chain status</h2>")
        body.append(table(
            caption: nil, headers: ["Check", "Result"],
            rows: [
                ["Entries verified", String(status.entries)], ["Tree size", String(status.treeSize)], ["Head hash", status.headHash],
                ["Checkpoints", String(status.checkpoints)], ["Witnessed checkpoints", String(status.witnessedCheckpoints)],
                ["Checks", status.checks.joined(separator: "; ")], ["Findings", String(status.findings)],
            ]))
        if !status.firstFindings.isEmpty {
            body.append(table(caption: "First findings", headers: ["Finding"], rows: status.firstFindings.map { [$0.line] }))
        }
        body.append("</section>")

        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Compliance report: chain \(HTML.escape(report.chain)), \(HTML.escape(day(report.window.from))) to \(HTML.escape(day(report.window.to)))</title>
            <style>\(style)</style></head>
            <body>
            \(body.joined(separator: "\n"))
            <footer>phi-ledger verifier · every row names the seq of the signed ledger entry it comes from</footer>
            </body></html>

            """
    }

    private static let sealed = "sealed"

    private static func table(caption: String?, headers: [String], rows: [[String]]) -> String {
        var html = "<table>"
        if let caption { html += "<caption>\(HTML.escape(caption))</caption>" }
        html += "<thead><tr>" + headers.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        if rows.isEmpty {
            html += "<tr><td colspan=\"\(headers.count)\" class=\"none\">None in this window.</td></tr>"
        }
        for row in rows {
            html += "<tr>" + row.map { $0 == sealed ? "<td class=\"sealed\">sealed</td>" : "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table>"
    }

    private static func short(_ id: String) -> String {
        id.count > 8 ? String(id.prefix(8)) + "…" : id
    }

    /// `2026-11-22T09:41:07.125000Z` as `2026-11-22 09:41:07`.
    private static func time(_ text: String) -> String {
        guard text.count >= 19 else { return text }
        return text.prefix(10) + " " + text.dropFirst(11).prefix(8)
    }

    private static func day(_ text: String) -> String { String(text.prefix(10)) }

    private static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2430;margin:2rem auto;max-width:60rem;padding:0 1rem}
        h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid #d5dbe3;padding-bottom:.25rem}
        .meta{color:#536173;margin:0 0 .75rem}.note{color:#536173;font-size:.9rem}
        .status{padding:.5rem .75rem;border-radius:4px;font-weight:600}.intact{background:#e6f4ea;color:#17612c}.tampered{background:#fde8e8;color:#8a1c1c}
        .cards{display:grid;grid-template-columns:repeat(4,1fr);gap:.5rem;margin:1rem 0}
        .card{border:1px solid #d5dbe3;border-radius:4px;padding:.5rem .75rem}.card b{display:block;font-size:1.4rem}.card span{color:#536173;font-size:.85rem}
        table{border-collapse:collapse;width:100%;margin:.75rem 0;font-size:.85rem}caption{text-align:left;font-weight:600;padding:.25rem 0}
        th,td{border-bottom:1px solid #e4e8ee;padding:.3rem .4rem;text-align:left;vertical-align:top}th{background:#f3f5f8}
        td.sealed{color:#8893a2;font-style:italic}td.none{color:#8893a2}
        figure{margin:.75rem 0}figcaption{color:#536173;font-size:.85rem}svg{max-width:100%;height:auto;font-size:11px;fill:#536173}
        .allowed{fill:#3a6ea5}.denied{fill:#c0392b}.grid{stroke:#e4e8ee}.axis{stroke:#8893a2}
        .key{display:inline-block;width:.8em;height:.8em;vertical-align:middle}.key.allowed{background:#3a6ea5}.key.denied{background:#c0392b}
        footer{margin-top:2rem;color:#8893a2;font-size:.8rem}
        @media print{body{margin:0;max-width:none;font-size:11px}section{break-inside:avoid-page}h2{break-after:avoid}tr{break-inside:avoid}
        .status,.key{-webkit-print-color-adjust:exact;print-color-adjust:exact}@page{size:auto;margin:14mm}}
        """
}
