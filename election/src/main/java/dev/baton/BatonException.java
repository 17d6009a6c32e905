package dev.baton;

/**
 * Base of Baton's unchecked exceptions. Messages name the operation, the key and the state; a database failure keeps
 * its {@link java.sql.SQLException} as the cause, and {@link #sqlState()} gives its SQLState.
 */
public class BatonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with a diagnostic message. */
    public BatonException(String message) {
        super(message);
    }

    /** An exception with a diagnostic message and its cause. */
    public BatonException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The SQLState of the underlying {@link java.sql.SQLException}, or null if there is none. */
    public String sqlState() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
