//! Work orders through HTTP, by role: the whole loop, every status step, scope, SLA, time.

use hmms_domain::work_orders::{self as rules, Rights, Status};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, expect, work_order_in};

mod holds;
mod lifecycle;
mod records;
mod scope;
mod writes;
