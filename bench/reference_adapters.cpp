// Hand-written C++ reference adapters for the benchmark: the practical limit
// for a csp adapter (no C ABI, no Rust). They do the same job as the Rust
// benchmark adapters: push int64 values from a thread, count and check them
// (or measure latency) in an output adapter; and the same with records
// (csp.Struct values with fields symbol: str, price: float, size: int,
// time: datetime) following the generated project's demo rule.
//
// Built by bench/run.py into the Python extension _reference_adapters.

#include <csp/engine/OutputAdapter.h>
#include <csp/engine/PushInputAdapter.h>
#include <csp/engine/Struct.h>
#include <csp/engine/TimeSeriesProvider.h>
#include <csp/python/Conversions.h>
#include <csp/python/Exception.h>
#include <csp/python/PyEngine.h>
#include <csp/python/PyInputAdapterWrapper.h>
#include <csp/python/PyOutputAdapterWrapper.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace
{

int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>( std::chrono::system_clock::now().time_since_epoch() ).count();
}

// What the last run measured; read by results().
struct Results
{
    std::atomic<int64_t> pushed{ 0 };
    std::atomic<int64_t> firstPushNs{ 0 };
    std::atomic<int64_t> pushLoopNs{ 0 };
    int64_t received = 0;
    int64_t mismatches = 0;
    int64_t lastReceiveNs = 0;
    std::vector<int64_t> latencies;
};

Results g_results;

// A push input adapter that pushes from a thread of its own (run()).
class ThreadedInput : public csp::PushInputAdapter
{
public:
    using csp::PushInputAdapter::PushInputAdapter;

    void start( csp::DateTime, csp::DateTime ) override
    {
        m_running = true;
        m_thread = std::thread( [this]() { run(); } );
    }

    void stop() override
    {
        m_running = false;
        if( m_thread.joinable() )
            m_thread.join();
    }

protected:
    virtual void run() = 0;

    std::atomic<bool> m_running{ false };

private:
    std::thread m_thread;
};

class ReferenceInput final : public ThreadedInput
{
public:
    ReferenceInput( csp::Engine * engine, csp::CspTypePtr & type, csp::PushMode mode, int64_t count, int64_t rate, int64_t batch )
        : ThreadedInput( engine, type, mode ), m_count( count ), m_rate( rate ), m_batch( batch )
    {
    }

private:
    void run() override { m_rate > 0 ? paced() : flatOut(); }

    void flatOut()
    {
        auto started = std::chrono::steady_clock::now();
        g_results.firstPushNs = nowNs();
        int64_t i = 0;
        while( i < m_count && m_running )
        {
            if( m_batch > 1 )
            {
                csp::PushBatch batch( rootEngine() );
                int64_t end = std::min( m_count, i + m_batch );
                for( ; i < end; ++i )
                    pushTick( int64_t( i ), &batch );
            }
            else
            {
                pushTick( int64_t( i ) );
                ++i;
            }
        }
        g_results.pushLoopNs = std::chrono::duration_cast<std::chrono::nanoseconds>( std::chrono::steady_clock::now() - started ).count();
        g_results.pushed = i;
    }

    // One push every 1/rate seconds; the thread spins (CPU-busy) in between.
    void paced()
    {
        int64_t start = nowNs();
        int64_t period = 1'000'000'000 / m_rate;
        int64_t i = 0;
        for( ; i < m_count && m_running; ++i )
        {
            int64_t due = start + i * period;
            while( nowNs() < due )
            {
            }
            pushTick( nowNs() );
        }
        g_results.pushed = i;
    }

    int64_t m_count, m_rate, m_batch;
};

class ReferenceOutput final : public csp::OutputAdapter
{
public:
    ReferenceOutput( csp::Engine * engine, bool latency, int64_t expected ) : csp::OutputAdapter( engine ), m_latency( latency ), m_expected( expected )
    {
        if( m_latency )
            g_results.latencies.reserve( expected );
    }

    const char * name() const override { return "ReferenceOutput"; }

    void executeImpl() override
    {
        int64_t value = input() -> lastValueTyped<int64_t>();
        int64_t index = g_results.received++;
        if( m_latency )
            g_results.latencies.push_back( nowNs() - value );
        else if( value != index )
            ++g_results.mismatches;
        if( g_results.received == m_expected )
        {
            g_results.lastReceiveNs = nowNs();
            rootEngine() -> shutdown();
        }
    }

private:
    bool m_latency;
    int64_t m_expected;
};

// The record fields of the demo rule, looked up once by name.
struct RecordFields
{
    explicit RecordFields( const csp::StructMeta & meta )
        : symbol( typed<csp::StringStructField>( meta, "symbol" ) ), price( typed<csp::DoubleStructField>( meta, "price" ) ),
          size( typed<csp::Int64StructField>( meta, "size" ) ), time( typed<csp::DateTimeStructField>( meta, "time" ) )
    {
    }

    template<typename Field>
    static const Field * typed( const csp::StructMeta & meta, const char * name )
    {
        const auto & field = meta.field( name );
        if( !field )
            CSP_THROW( csp::TypeError, "the record has no field " << name );
        return static_cast<const Field *>( field.get() );
    }

    const csp::StringStructField * symbol;
    const csp::DoubleStructField * price;
    const csp::Int64StructField * size;
    const csp::DateTimeStructField * time;
};

// 2020-01-01T00:00:00 UTC, the demo rule's first datetime.
const csp::DateTime DATETIME_BASE = csp::DateTime::fromNanoseconds( 1'577'836'800'000'000'000LL );

const csp::StructMeta & metaOf( const csp::CspTypePtr & type )
{
    return *static_cast<const csp::CspStructType &>( *type ).meta();
}

// Pushes records 0 .. count-1 of the demo rule from a thread, one at a time.
class ReferenceRecordInput final : public ThreadedInput
{
public:
    ReferenceRecordInput( csp::Engine * engine, csp::CspTypePtr & type, csp::PushMode mode, int64_t count )
        : ThreadedInput( engine, type, mode ), m_meta( metaOf( type ) ), m_fields( m_meta ), m_count( count )
    {
    }

private:
    void run() override
    {
        g_results.firstPushNs = nowNs();
        int64_t i = 0;
        for( ; i < m_count && m_running; ++i )
        {
            csp::StructPtr record = m_meta.create();
            m_fields.symbol -> setValue( record.get(), "tick-" + std::to_string( i ) );
            m_fields.price -> setValue( record.get(), double( i ) * 0.5 );
            m_fields.size -> setValue( record.get(), i );
            m_fields.time -> setValue( record.get(), DATETIME_BASE + csp::TimeDelta::fromMicroseconds( i ) );
            pushTick( std::move( record ) );
        }
        g_results.pushed = i;
    }

    const csp::StructMeta & m_meta;
    RecordFields m_fields;
    int64_t m_count;
};

// Checks that record j is the demo rule's record j, field by field.
class ReferenceRecordOutput final : public csp::OutputAdapter
{
public:
    ReferenceRecordOutput( csp::Engine * engine, const csp::CspTypePtr & type, int64_t expected )
        : csp::OutputAdapter( engine ), m_fields( metaOf( type ) ), m_expected( expected )
    {
    }

    const char * name() const override { return "ReferenceRecordOutput"; }

    void executeImpl() override
    {
        const csp::Struct * record = input() -> lastValueTyped<csp::StructPtr>().get();
        int64_t index = g_results.received++;
        if( !matches( record, index ) )
            ++g_results.mismatches;
        if( g_results.received == m_expected )
        {
            g_results.lastReceiveNs = nowNs();
            rootEngine() -> shutdown();
        }
    }

private:
    bool matches( const csp::Struct * record, int64_t index ) const
    {
        if( !m_fields.symbol -> isSet( record ) || !m_fields.price -> isSet( record ) || !m_fields.size -> isSet( record ) ||
            !m_fields.time -> isSet( record ) )
            return false;
        const std::string & symbol = m_fields.symbol -> value( record );
        int64_t parsed = -1;
        const char * digits = symbol.data() + 5;
        bool symbolOk = symbol.size() > 5 && symbol.compare( 0, 5, "tick-" ) == 0 &&
                        std::from_chars( digits, symbol.data() + symbol.size(), parsed ).ptr == symbol.data() + symbol.size() && parsed == index;
        return symbolOk && m_fields.price -> value( record ) == double( index ) * 0.5 && m_fields.size -> value( record ) == index &&
               m_fields.time -> value( record ) == DATETIME_BASE + csp::TimeDelta::fromMicroseconds( index );
    }

    RecordFields m_fields;
    int64_t m_expected;
};

csp::InputAdapter * createInput( csp::AdapterManager *, csp::python::PyEngine * pyEngine, PyObject * pyType, csp::PushMode mode, PyObject * args )
{
    long long count, rate, batch;
    if( !PyArg_ParseTuple( args, "LLL", &count, &rate, &batch ) )
        CSP_THROW( csp::python::PythonPassthrough, "" );
    auto & type = csp::python::pyTypeAsCspType( pyType );
    return pyEngine -> engine() -> createOwnedObject<ReferenceInput>( type, mode, count, rate, batch );
}

csp::OutputAdapter * createOutput( csp::AdapterManager *, csp::python::PyEngine * pyEngine, PyObject * args )
{
    PyObject * pyType;
    int latency;
    long long expected;
    if( !PyArg_ParseTuple( args, "OpL", &pyType, &latency, &expected ) )
        CSP_THROW( csp::python::PythonPassthrough, "" );
    return pyEngine -> engine() -> createOwnedObject<ReferenceOutput>( latency != 0, expected );
}

csp::InputAdapter * createRecordInput( csp::AdapterManager *, csp::python::PyEngine * pyEngine, PyObject * pyType, csp::PushMode mode,
                                       PyObject * args )
{
    long long count;
    if( !PyArg_ParseTuple( args, "L", &count ) )
        CSP_THROW( csp::python::PythonPassthrough, "" );
    auto & type = csp::python::pyTypeAsCspType( pyType );
    return pyEngine -> engine() -> createOwnedObject<ReferenceRecordInput>( type, mode, count );
}

csp::OutputAdapter * createRecordOutput( csp::AdapterManager *, csp::python::PyEngine * pyEngine, PyObject * args )
{
    PyObject * pyType;
    long long expected;
    if( !PyArg_ParseTuple( args, "OL", &pyType, &expected ) )
        CSP_THROW( csp::python::PythonPassthrough, "" );
    auto & type = csp::python::pyTypeAsCspType( pyType );
    return pyEngine -> engine() -> createOwnedObject<ReferenceRecordOutput>( type, expected );
}

PyObject * reference_record_input( PyObject *, PyObject * args )
{
    return csp::python::PyInputAdapterWrapper::createAdapter( createRecordInput, args );
}

PyObject * reference_record_output( PyObject *, PyObject * args )
{
    return csp::python::PyOutputAdapterWrapper::createAdapter( createRecordOutput, args );
}

PyObject * reference_input( PyObject *, PyObject * args )
{
    return csp::python::PyInputAdapterWrapper::createAdapter( createInput, args );
}

PyObject * reference_output( PyObject *, PyObject * args )
{
    return csp::python::PyOutputAdapterWrapper::createAdapter( createOutput, args );
}

PyObject * reset( PyObject *, PyObject * )
{
    g_results.pushed = 0;
    g_results.firstPushNs = 0;
    g_results.pushLoopNs = 0;
    g_results.received = 0;
    g_results.mismatches = 0;
    g_results.lastReceiveNs = 0;
    g_results.latencies.clear();
    Py_RETURN_NONE;
}

PyObject * results( PyObject *, PyObject * )
{
    PyObject * latencies = PyList_New( g_results.latencies.size() );
    for( size_t i = 0; i < g_results.latencies.size(); ++i )
        PyList_SET_ITEM( latencies, i, PyLong_FromLongLong( g_results.latencies[i] ) );
    return Py_BuildValue( "{s:L,s:L,s:L,s:L,s:L,s:L,s:N}", "pushed", (long long)g_results.pushed.load(), "first_push_ns",
                          (long long)g_results.firstPushNs.load(), "push_loop_ns", (long long)g_results.pushLoopNs.load(), "received",
                          (long long)g_results.received, "mismatches", (long long)g_results.mismatches, "last_receive_ns",
                          (long long)g_results.lastReceiveNs, "latencies", latencies );
}

PyMethodDef g_methods[] = {
    { "reference_input", reference_input, METH_VARARGS, "C++ push input adapter (count, rate, batch)" },
    { "reference_output", reference_output, METH_VARARGS, "C++ output adapter (pytype, latency, expected)" },
    { "reference_record_input", reference_record_input, METH_VARARGS, "C++ push input adapter of demo records (count)" },
    { "reference_record_output", reference_record_output, METH_VARARGS, "C++ output adapter checking demo records (pytype, expected)" },
    { "reset", reset, METH_NOARGS, "clear the results" },
    { "results", results, METH_NOARGS, "results of the last run" },
    { nullptr, nullptr, 0, nullptr } };

PyModuleDef g_module = { PyModuleDef_HEAD_INIT, "_reference_adapters", "C++ reference adapters for the benchmark", -1, g_methods };

} // namespace

PyMODINIT_FUNC PyInit__reference_adapters( void ) { return PyModule_Create( &g_module ); }
