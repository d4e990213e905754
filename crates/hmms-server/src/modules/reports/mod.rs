//! Reports: the key figures of maintenance for a period (MTTR, MTBF, availability, PM
//! compliance, SLA attainment, backlog, cost, stock-outs …), each with its published
//! definition, over the records the reader may see.

mod breakdown;
mod done;
mod dto;
mod export;
mod kpis;
mod place;
mod reported;
pub mod routes;
mod sql;
