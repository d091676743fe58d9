-- The database of tables.dump (pg_dump 15 -Fc), the TOC UseListTest selects from:
-- createdb app && psql -d app -f tables.sql && pg_dump -Fc -Z0 -f tables.dump app
CREATE TABLE accounts (id int PRIMARY KEY, name text);
CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL, account_id int REFERENCES accounts(id), created timestamptz DEFAULT now());
CREATE INDEX users_created ON users(created);
CREATE TABLE orders (id bigserial PRIMARY KEY, user_id int REFERENCES users(id), amount numeric);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.created := now(); RETURN NEW; END$$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
COMMENT ON TABLE users IS 'the users';
CREATE SEQUENCE ticket_seq;
CREATE TABLE tickets (id int DEFAULT nextval('ticket_seq'), note text);
CREATE SCHEMA other; CREATE TABLE other.users (x int);
CREATE VIEW user_emails AS SELECT email FROM users;
INSERT INTO accounts VALUES (1,'a'),(2,'b');
INSERT INTO users(email, account_id) SELECT 'u'||g||'@x', 1+g%2 FROM generate_series(1,100) g;
INSERT INTO orders(user_id, amount) SELECT 1+g%100, g FROM generate_series(1,300) g;
GRANT SELECT ON users TO PUBLIC;
CREATE TABLE events (id int GENERATED ALWAYS AS IDENTITY, at date NOT NULL, user_id int REFERENCES users(id)) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_at ON events(at);
ALTER TABLE events ADD PRIMARY KEY (id, at);
INSERT INTO events(at, user_id) VALUES ('2026-02-01', 1);
COMMENT ON COLUMN users.email IS 'where we write';
CREATE TABLE users_audit (user_id int REFERENCES users(id) ON DELETE CASCADE, what text);
