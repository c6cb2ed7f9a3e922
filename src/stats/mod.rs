//! Statistics for the department (admins only), computed by SQL over the listings and the
//! connections' outcome log, never by loading rows into the service.

pub mod handlers;
pub mod queries;
pub mod report;
pub mod report_handlers;
pub mod value;
