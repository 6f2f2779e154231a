// Headers and variadic shims for SQLite. Imported only by SQLiteDB.
#include <sqlite3.h>

/// sqlite3_db_config() is variadic and cannot be called from Swift.
static inline int CSQLite_db_config_int(sqlite3 *db, int op, int value) {
    return sqlite3_db_config(db, op, value, (int *)0);
}

/// SQLITE_TRANSIENT is a cast-valued macro Swift cannot import.
static inline sqlite3_destructor_type CSQLite_transient(void) { return SQLITE_TRANSIENT; }
