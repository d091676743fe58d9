-- Sample data for 'arca demo': a small shop with the kinds of columns real applications have.
create type order_status as enum ('new', 'paid', 'shipped', 'cancelled');

create table customers (
    id bigint generated always as identity primary key,
    name text not null,
    email text unique,
    country char(2),
    created_at timestamptz not null default now()
);

create table products (
    id serial primary key,
    sku text not null unique,
    title text not null,
    price numeric(12, 2) not null,
    attributes jsonb not null default '{}'
);

create table orders (
    id bigserial primary key,
    customer_id bigint not null references customers (id),
    status order_status not null,
    placed_at timestamptz not null,
    note text
);

create table order_lines (
    order_id bigint not null references orders (id),
    product_id int not null references products (id),
    quantity int not null check (quantity > 0),
    tags text[],
    primary key (order_id, product_id)
);

create index orders_customer on orders (customer_id);

create view revenue_by_country as
select c.country, sum(l.quantity * p.price) as revenue
from order_lines l
join orders o on o.id = l.order_id
join customers c on c.id = o.customer_id
join products p on p.id = l.product_id
where o.status <> 'cancelled'
group by c.country;

create table flyway_schema_history (
    installed_rank int primary key, version varchar(50), description varchar(200) not null,
    type varchar(20) not null, script varchar(1000) not null, checksum int, installed_by varchar(100) not null,
    installed_on timestamp not null default now(), execution_time int not null, success boolean not null
);
insert into flyway_schema_history values
    (1, '1', 'create shop', 'SQL', 'V1__create_shop.sql', 123, 'demo', now(), 12, true),
    (2, '2', 'add order notes', 'SQL', 'V2__add_order_notes.sql', 456, 'demo', now(), 3, true);

insert into customers (name, email, country, created_at)
select 'Customer ' || g, 'customer' || g || '@example.com',
       (array['DE', 'FR', 'US', 'JP', 'BR', 'IN'])[1 + g % 6],
       timestamptz '2025-01-01' + g * interval '7 minutes'
from generate_series(1, 20000) g;

insert into products (sku, title, price, attributes)
select 'SKU-' || lpad(g::text, 5, '0'), 'Product "' || g || E'"\twith tab', (g % 500) + 0.99,
       jsonb_build_object('color', (array['red', 'green', 'blue'])[1 + g % 3], 'weight_g', g % 1000)
from generate_series(1, 2000) g;

insert into orders (customer_id, status, placed_at, note)
select 1 + g % 20000, (array['new', 'paid', 'shipped', 'cancelled'])[1 + g % 4]::order_status,
       timestamptz '2025-06-01' + g * interval '1 minute',
       case when g % 10 = 0 then E'gift\nwrap, ünïcødé ✓' end
from generate_series(1, 100000) g;

insert into order_lines (order_id, product_id, quantity, tags)
select o, 1 + (o + k * 1000) % 2000, 1 + k, array['k' || k]
from generate_series(1, 100000) o, generate_series(1, 2) k;

analyze;
