/// SQLiteDB owns SQLite: connections, statements, explicit transactions and named forward-only migrations.
public enum SQLiteDB {}
