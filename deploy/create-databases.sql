-- One database per service (the portal's is POSTGRES_DB); run once, on an empty volume.
CREATE DATABASE notifier;
CREATE DATABASE signing;
CREATE DATABASE documents;
CREATE DATABASE quotes;
