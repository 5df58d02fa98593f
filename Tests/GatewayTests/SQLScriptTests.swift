import Testing
@testable import Gateway

@Suite("Splitting migration scripts into statements")
struct SQLScriptTests {
    @Test("plain statements split on semicolons, blank and comment-only tails dropped")
    func plainStatements() {
        #expect(SQLScript.statements("CREATE TABLE a (x int);\nCREATE TABLE b (y int);\n-- done\n") ==
            ["CREATE TABLE a (x int)", "CREATE TABLE b (y int)"])
    }

    @Test("semicolons inside strings, identifiers, comments and dollar quotes do not split")
    func quotedSemicolons() {
        let script = """
            INSERT INTO t VALUES ('a;b', 'it''s; fine');
            CREATE TABLE "odd;name" (x int); -- trailing; comment
            /* block; /* nested; */ comment */ SELECT 1;
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'no; way'; END;
            $$;
            CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
            SELECT $1
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 6)
        #expect(statements[0] == "INSERT INTO t VALUES ('a;b', 'it''s; fine')")
        #expect(statements[1] == #"CREATE TABLE "odd;name" (x int)"#)
        #expect(statements[2].hasSuffix("SELECT 1"))
        #expect(statements[3].contains("RAISE EXCEPTION 'no; way'; END;"))
        #expect(statements[4].hasSuffix("$body$ SELECT 1; $body$"))
        #expect(statements[5] == "SELECT $1")
    }
}
