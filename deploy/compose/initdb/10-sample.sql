-- The sample database of the Compose stack: run once by the postgres image into POSTGRES_DB
-- (app) when its volume is empty. The drill's check (arca.yaml) counts orders.
create table customers (
    id bigint generated always as identity primary key,
    name text not null,
    email text not null unique
);

create table orders (
    id bigint generated always as identity primary key,
    customer_id bigint not null references customers,
    placed_at timestamptz not null default now(),
    total numeric(10, 2) not null check (total >= 0)
);

insert into customers (name, email)
select 'customer ' || i, 'customer' || i || '@example.com'
from generate_series(1, 1000) as i;

insert into orders (customer_id, placed_at, total)
select 1 + (i % 1000), now() - make_interval(mins => i), round((random() * 500)::numeric, 2)
from generate_series(1, 20000) as i;
