package io.natter.attachment.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.natter.attachment.AttachmentConfig;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/** The metadata database: a connection pool, migrated by Flyway at start, used through Jdbi. */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Connects, applies any pending migration of {@code db/migration}, and returns the pool. */
    public static Database connect(AttachmentConfig.Postgres settings) {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("attachments");
        pool.setJdbcUrl(settings.jdbcUrl());
        pool.setUsername(settings.user());
        if (settings.password() != null) {
            pool.setPassword(settings.password());
        }
        pool.setMaximumPoolSize(settings.poolSize());
        HikariDataSource dataSource = new HikariDataSource(pool);
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
