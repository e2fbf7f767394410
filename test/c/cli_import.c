/* Imports a function nobody provides: instantiation must name it. */
__attribute__((import_module("env"), import_name("not_provided"))) int not_provided(int);
int main(void) { return not_provided(1); }
