-- One database per service on one server: no service reads another's tables.
CREATE DATABASE applications;
CREATE DATABASE allocation;
CREATE DATABASE payments;
CREATE DATABASE reporting;
